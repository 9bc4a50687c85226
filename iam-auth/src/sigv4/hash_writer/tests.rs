use ring::{digest, hmac};

use crate::sigv4::sha256::{HmacKey, Sha256};

use super::{BUFFER_LEN, HashWriter};
use crate::encoding::TextSink;

/// Returns text of `len` bytes that mixes ASCII and two-byte characters.
fn sample_text(len: usize) -> String {
    let mut text = String::new();
    let mut index = 0;
    while text.len() < len {
        if index % 7 == 3 && text.len() + 2 <= len {
            text.push('é');
        } else {
            text.push(char::from(b'a' + (index % 26) as u8));
        }
        index += 1;
    }
    text
}

/// Writes `text` in pieces of at most `piece_len` bytes, cut at character boundaries.
fn write_in_pieces(writer: &mut impl TextSink, text: &str, piece_len: usize) {
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = piece_len.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (piece, tail) = rest.split_at(end);
        if piece.chars().count() == 1 {
            writer.push(piece.chars().next().unwrap());
        } else {
            writer.push_str(piece);
        }
        rest = tail;
    }
}

#[test]
fn sha256_matches_one_shot_digest() {
    for len in [
        0,
        1,
        63,
        64,
        65,
        BUFFER_LEN - 1,
        BUFFER_LEN,
        BUFFER_LEN + 1,
        3 * BUFFER_LEN + 5,
    ] {
        let text = sample_text(len);
        let expected = digest::digest(&digest::SHA256, text.as_bytes());
        for piece_len in [
            1,
            2,
            5,
            64,
            BUFFER_LEN - 1,
            BUFFER_LEN,
            BUFFER_LEN + 1,
            1000,
        ] {
            let mut writer = HashWriter::new(Sha256::new());
            write_in_pieces(&mut writer, &text, piece_len);
            let actual = writer.into_hash().finish();
            assert_eq!(
                actual.as_ref(),
                expected.as_ref(),
                "text of {len} bytes in pieces of {piece_len}"
            );
        }
    }
}

#[test]
fn hmac_matches_one_shot_sign() {
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"signing key");
    for len in [0, 17, BUFFER_LEN, 2 * BUFFER_LEN + 3] {
        let text = sample_text(len);
        let expected = hmac::sign(&key, text.as_bytes());
        for piece_len in [1, 3, BUFFER_LEN + 1] {
            let mut writer = HashWriter::new(HmacKey::new(b"signing key").context());
            write_in_pieces(&mut writer, &text, piece_len);
            let actual = writer.into_hash().sign();
            assert_eq!(
                actual.as_ref(),
                expected.as_ref(),
                "text of {len} bytes in pieces of {piece_len}"
            );
        }
    }
}

#[test]
fn hex_matches_hex_text() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(3 * BUFFER_LEN).collect();
    for offset in [0, 1, BUFFER_LEN - 3] {
        for len in [0, 1, 32, BUFFER_LEN / 2, BUFFER_LEN, bytes.len()] {
            let prefix = sample_text(offset);
            let mut text = prefix.clone();
            for byte in &bytes[..len] {
                text.push_str(&format!("{byte:02x}"));
            }
            let expected = digest::digest(&digest::SHA256, text.as_bytes());

            let mut writer = HashWriter::new(Sha256::new());
            writer.push_str(&prefix);
            writer.push_hex(&bytes[..len]);
            let actual = writer.into_hash().finish();

            assert_eq!(
                actual.as_ref(),
                expected.as_ref(),
                "{len} bytes as hex after {offset} bytes of text"
            );
        }
    }
}
