use super::{
    TextSink, constant_time_eq, decode_lower_hex, eq_ascii_lowercase, find_byte, split_ascii,
    to_hex, trim_whitespace,
};

#[test]
fn constant_time_eq_finds_every_difference() {
    for len in 0..20 {
        let left: Vec<u8> = (0..len as u8).collect();
        assert!(constant_time_eq(&left, &left.clone()), "{len} bytes");
        for index in 0..len {
            for bit in 0..8 {
                let mut right = left.clone();
                right[index] ^= 1 << bit;
                assert!(
                    !constant_time_eq(&left, &right),
                    "byte {index} bit {bit} of {len}"
                );
            }
        }
    }
}

#[test]
fn constant_time_eq_rejects_other_length() {
    assert!(!constant_time_eq(b"abc", b"abcd"));
    assert!(!constant_time_eq(b"", b"a"));
}

#[test]
fn hex_round_trips_every_byte() {
    let bytes: Vec<u8> = (0..=255).collect();
    let hex = to_hex(&bytes);
    let expected: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(hex, expected);

    let mut decoded = vec![0u8; bytes.len()];
    assert_eq!(decode_lower_hex(&hex, &mut decoded), Some(()));
    assert_eq!(decoded, bytes);
}

#[test]
fn decode_lower_hex_rejects_bad_digits() {
    let mut out = [0u8; 2];
    for text in [
        "0A0b", "0g00", "00 0", "/000", ":000", "`000", "000G", "éa0",
    ] {
        assert_eq!(decode_lower_hex(text, &mut out), None, "{text}");
    }
}

#[test]
fn decode_lower_hex_rejects_wrong_length() {
    let mut out = [0u8; 2];
    for text in ["", "000", "00000", "0000000"] {
        assert_eq!(decode_lower_hex(text, &mut out), None, "{text}");
    }
}

#[test]
fn string_sink_pushes_hex_in_chunks() {
    let bytes: Vec<u8> = (0..100).collect();
    let mut out = String::from("x");
    out.push_hex(&bytes);
    assert_eq!(out, format!("x{}", to_hex(&bytes)));
    assert_eq!(out.len(), 201);
}

#[test]
fn split_ascii_matches_str_split() {
    for text in ["", ";", "a", "a;b", ";a;;b;", "host;x-amz-date", "é;ü;"] {
        let expected: Vec<&str> = text.split(';').collect();
        let actual: Vec<&str> = split_ascii(text, b';').collect();
        assert_eq!(actual, expected, "{text:?}");
    }
}

#[test]
fn find_byte_matches_position_at_every_length() {
    for len in 0..80 {
        let mut bytes = vec![b'a'; len];
        assert_eq!(find_byte(&bytes, b';'), None, "{len} bytes");
        for index in (0..len).rev() {
            bytes[index] = b';';
            assert_eq!(find_byte(&bytes, b';'), Some(index), "{len} bytes");
        }
    }
}

#[test]
fn trim_whitespace_matches_str_trim() {
    let cases = [
        "", " ", "a", " a", "a ", "\ta b\n", "\u{a0}a", "a\u{a0}", "\u{3000}", "ab", " \t a=b",
        "  a=b ", " \u{a0}a", "\t",
    ];
    for text in cases {
        assert_eq!(trim_whitespace(text), text.trim(), "{text:?}");
    }
}

#[test]
fn eq_ascii_lowercase_matches_eq_ignore_ascii_case() {
    let names = [
        "host",
        "Host",
        "HOST",
        "hosT",
        "hos",
        "hosts",
        "x-amz-date",
        "X-Amz-Date",
        "x_amz-date",
        "hé",
        "HÉ",
        "Content-Type",
        "CONTENT-TYPE",
        "Content-Typf",
        "X-Amz-Content-Sha256",
        "x-amz-content-sha256",
        "X-Amz-Content-Sha257",
        "@[`{Content-Type",
    ];
    for text in names {
        for lowercase in [
            "host",
            "x-amz-date",
            "hé",
            "",
            "content-type",
            "x-amz-content-sha256",
        ] {
            assert_eq!(
                eq_ascii_lowercase(text, lowercase),
                text.eq_ignore_ascii_case(lowercase),
                "{text:?} and {lowercase:?}"
            );
        }
    }
}
