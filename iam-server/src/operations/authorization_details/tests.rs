use super::*;

#[test]
fn marker_round_trips() {
    for section in Section::ALL {
        for store_marker in [None, Some("c29tZS1rZXk")] {
            let marker = encode_marker(section, store_marker);

            let decoded = decode_marker(&marker).unwrap();

            assert_eq!(decoded, (section, store_marker.map(str::to_owned)));
        }
    }
}

#[test]
fn marker_of_unknown_section_is_rejected() {
    let marker = URL_SAFE_NO_PAD.encode("Policy\nabc");

    let error = decode_marker(&marker).unwrap_err();

    assert_eq!(error.code, ErrorCode::InvalidInput);
}

#[test]
fn marker_without_separator_is_rejected() {
    let marker = URL_SAFE_NO_PAD.encode("User");

    let error = decode_marker(&marker).unwrap_err();

    assert_eq!(error.code, ErrorCode::InvalidInput);
}

#[test]
fn sections_follow_output_order() {
    let names: Vec<&str> = Section::ALL
        .iter()
        .map(|section| section.entity_type())
        .collect();

    assert_eq!(
        names,
        [
            "User",
            "Group",
            "Role",
            "LocalManagedPolicy",
            "AWSManagedPolicy"
        ]
    );
    assert!(
        Section::ALL
            .iter()
            .all(|section| Section::from_entity_type(section.entity_type()) == Some(*section))
    );
}

#[test]
fn policy_name_is_last_arn_segment() {
    let arn: Arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        .parse()
        .unwrap();

    assert_eq!(policy_name(&arn), "ViewOnlyAccess");
}
