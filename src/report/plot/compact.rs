//! Makes plotters' SVG smaller without changing what it draws: the font
//! family and full opacity every element repeats go once on the root or
//! nowhere, numbers keep two decimals, and the line breaks around each
//! text go. A page of hundreds of small charts is mostly such repetition.

/// `svg` as plotters wrote it, compacted.
pub fn compact(svg: &str) -> String {
    let text = svg
        .replace(" opacity=\"1\"", "")
        .replace(" font-family=\"sans-serif\"", "")
        .replacen("<svg ", "<svg font-family=\"sans-serif\" ", 1)
        .replace(">\n", ">")
        .replace("\n<", "<");
    shorten_numbers(&text)
}

/// Every decimal number with more than two decimals, cut to two.
fn shorten_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'.' && i > 0 && bytes[i - 1].is_ascii_digit() {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 2 {
                // Keep the point and two digits (a hundredth of a pixel);
                // every byte cut is an ASCII digit, so slicing stays on
                // character boundaries.
                out.push_str(&text[copied..i + 3]);
                i += 1 + digits;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_repetition_and_long_decimals_but_keeps_the_drawing() {
        let svg = "<svg width=\"10\" height=\"10\">\n<text x=\"1\" font-family=\"sans-serif\" font-size=\"8.870967741935484\" opacity=\"1\">\ncore µs\n</text>\n<rect x=\"2.5\" y=\"0\"/>\n</svg>\n";
        let small = compact(svg);
        assert_eq!(
            small,
            "<svg font-family=\"sans-serif\" width=\"10\" height=\"10\"><text x=\"1\" font-size=\"8.87\">core µs</text><rect x=\"2.5\" y=\"0\"/></svg>"
        );
    }
}
