//! The bytes a stream carries, so that the reader can check every one:
//! message k is a fixed template whose first (up to eight) bytes are k,
//! little-endian. A lost, repeated, reordered or corrupted byte shows up,
//! however the transport cuts the stream into pieces. Checking is slice
//! comparison (memcmp speed), so it costs little next to the copy itself.

/// The template of one message, shared by the writer and the reader.
#[derive(Debug, Clone)]
pub struct Pattern {
    template: Vec<u8>,
}

/// Bytes of the message number at the start of each message.
const HEADER: usize = 8;

impl Pattern {
    pub fn new(message_bytes: usize) -> Pattern {
        let template = (0..message_bytes.max(1))
            .map(|i| (i.wrapping_mul(31).wrapping_add(7) % 251) as u8)
            .collect();
        Pattern { template }
    }

    pub fn message_bytes(&self) -> usize {
        self.template.len()
    }

    /// A message buffer ready for `stamp`.
    pub fn buffer(&self) -> Vec<u8> {
        self.template.clone()
    }

    /// Turn `buffer` (made by `buffer`) into message number `k`.
    pub fn stamp(&self, buffer: &mut [u8], k: u64) {
        let header = k.to_le_bytes();
        let n = HEADER.min(buffer.len());
        buffer[..n].copy_from_slice(&header[..n]);
    }

    /// Whether `got` is bytes `range` of message `k`.
    fn expected(&self, k: u64, range: std::ops::Range<usize>, got: &[u8]) -> bool {
        let header = k.to_le_bytes();
        let split = HEADER.clamp(range.start, range.end);
        let (head_got, body_got) = got.split_at(split - range.start);
        let head_ok = head_got.is_empty() || header.get(range.start..split) == Some(head_got);
        head_ok && self.template.get(split..range.end) == Some(body_got)
    }
}

/// The reader's side: where in the stream it is, and whether every byte so
/// far was right. Async-signal-safe (no allocation after `new`).
#[derive(Debug, Clone)]
pub struct Checker {
    pattern: Pattern,
    message: u64,
    offset: usize,
}

impl Checker {
    pub fn new(pattern: Pattern) -> Checker {
        Checker {
            pattern,
            message: 0,
            offset: 0,
        }
    }

    /// Check the next bytes of the stream; false at the first wrong byte.
    pub fn check(&mut self, mut data: &[u8]) -> bool {
        let len = self.pattern.message_bytes();
        while !data.is_empty() {
            let take = (len - self.offset).min(data.len());
            let (piece, rest) = data.split_at(take);
            if !self
                .pattern
                .expected(self.message, self.offset..self.offset + take, piece)
            {
                return false;
            }
            self.offset += take;
            if self.offset == len {
                self.offset = 0;
                self.message += 1;
            }
            data = rest;
        }
        true
    }

    /// Whole messages checked so far.
    #[cfg(test)]
    pub fn messages(&self) -> u64 {
        self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(pattern: &Pattern, messages: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buffer = pattern.buffer();
        for k in 0..messages {
            pattern.stamp(&mut buffer, k);
            out.extend_from_slice(&buffer);
        }
        out
    }

    #[test]
    fn a_stream_checks_in_any_cutting_and_a_wrong_byte_anywhere_fails() {
        for size in [1usize, 3, 8, 9, 64, 1000] {
            let pattern = Pattern::new(size);
            let bytes = stream(&pattern, 300);
            for cut in [1usize, 5, 64, 4096] {
                let mut checker = Checker::new(pattern.clone());
                assert!(bytes.chunks(cut).all(|c| checker.check(c)), "{size}/{cut}");
                assert_eq!(checker.messages(), 300);
            }
            for at in [0, size / 2, bytes.len() - 1] {
                let mut bad = bytes.clone();
                bad[at] ^= 0x40;
                let mut checker = Checker::new(pattern.clone());
                assert!(!bad.chunks(7).all(|c| checker.check(c)), "{size}@{at}");
            }
        }
    }

    #[test]
    fn a_missing_or_repeated_message_fails() {
        let pattern = Pattern::new(16);
        let bytes = stream(&pattern, 4);
        let mut skipped = bytes[..16].to_vec();
        skipped.extend_from_slice(&bytes[32..]);
        assert!(!Checker::new(pattern.clone()).check(&skipped));
        let mut repeated = bytes[..32].to_vec();
        repeated.extend_from_slice(&bytes[16..]);
        assert!(!Checker::new(pattern).check(&repeated));
    }
}
