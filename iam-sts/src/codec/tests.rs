use super::*;

fn encoded(values: &[&str]) -> Vec<u8> {
    let mut writer = Writer::with_capacity(64, 32);
    writer.u8(7);
    for value in values {
        writer.str(value);
    }
    writer.into_bytes()
}

fn read_all(bytes: &[u8], count: usize) -> Result<Vec<&str>, Malformed> {
    let mut reader = Reader::new(bytes)?;
    if reader.u8()? != 7 {
        return Err(Malformed);
    }
    let values = (0..count)
        .map(|_| reader.str())
        .collect::<Result<Vec<_>, _>>()?;
    if !reader.is_empty() {
        return Err(Malformed);
    }
    Ok(values)
}

#[test]
fn strings_round_trip_through_text() {
    let bytes = encoded(&["alpha", "", "é∂ß", "z"]);

    let values = read_all(&bytes, 4).unwrap();

    assert_eq!(values, ["alpha", "", "é∂ß", "z"]);
    assert_eq!(&bytes[..2], &[0, 9]);
    assert!(bytes.ends_with("alphaé∂ßz".as_bytes()));
}

#[test]
fn length_inside_character_is_malformed() {
    let mut bytes = encoded(&["é", "x"]);
    // The first string's length, 2, becomes 1: it now ends inside `é`.
    bytes[4] = 1;

    assert!(read_all(&bytes, 2).is_err());
}

#[test]
fn invalid_utf8_text_is_malformed() {
    let mut bytes = encoded(&["ab"]);
    let last = bytes.len() - 1;
    bytes[last] = 0xFF;

    assert!(read_all(&bytes, 1).is_err());
}

#[test]
fn lying_fields_length_is_malformed() {
    let mut too_long = encoded(&["ab"]);
    too_long[1] = 200;
    let mut too_short = encoded(&["ab"]);
    too_short[1] = 1;

    assert!(read_all(&too_long, 1).is_err());
    assert!(read_all(&too_short, 1).is_err());
    assert!(Reader::new(&[0]).is_err());
}

#[test]
fn text_past_last_string_is_malformed() {
    let mut bytes = encoded(&["ab"]);
    bytes.push(b'c');

    assert!(read_all(&bytes, 1).is_err());
}

#[test]
fn arn_round_trips_by_fields() {
    let arn: Arn = "arn:aws-cn:iam::111122223333:role/path/name:with-colon"
        .parse()
        .unwrap();
    let mut writer = Writer::with_capacity(64, 64);
    writer.arn(&arn);
    let bytes = writer.into_bytes();

    let mut reader = Reader::new(&bytes).unwrap();

    assert_eq!(reader.arn().unwrap(), arn);
    assert!(reader.is_empty());
}
