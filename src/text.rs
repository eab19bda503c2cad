//! Output helpers every reader of results shares (the terminal, the report,
//! the gate's Markdown): human figures and HTML escaping. Imports nothing of
//! concbench, so any layer may use it.

/// `text` with its first letter upper case: a line that starts a sentence.
pub fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A duration in ns as a short human figure: `812 ns`, `14.2 µs`, `3.04 s`.
pub fn format_ns(ns: f64) -> String {
    let (value, unit) = match ns {
        n if n < 1e3 => (n, "ns"),
        n if n < 1e6 => (n / 1e3, "µs"),
        n if n < 1e9 => (n / 1e6, "ms"),
        n => (n / 1e9, "s"),
    };
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.digits$} {unit}")
}

/// Escape text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, format_ns};

    #[test]
    fn durations_read_in_their_natural_unit() {
        assert_eq!(format_ns(812.0), "812 ns");
        assert_eq!(format_ns(14_230.0), "14.2 µs");
        assert_eq!(format_ns(3_040_000_000.0), "3.04 s");
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("a<b & 'c' \"d\">"),
            "a&lt;b &amp; &#39;c&#39; &quot;d&quot;&gt;"
        );
    }
}
