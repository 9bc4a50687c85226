use super::*;

fn decode(query: &str) -> QueryParameters {
    QueryParameters::decode(Some(query), None).unwrap()
}

fn error_code(query: &str) -> ErrorCode {
    QueryParameters::decode(Some(query), None).unwrap_err().code
}

#[test]
fn plus_decodes_to_space() {
    let parameters = decode("Description=a%2Bb+c%7Ed%2Fe");

    assert_eq!(parameters.optional("Description"), Some("a+b c~d/e"));
}

#[test]
fn query_and_body_merge() {
    let parameters =
        QueryParameters::decode(Some("Version=2010-05-08"), Some(b"Action=ListUsers")).unwrap();

    assert_eq!(parameters.action(), Some("ListUsers"));
    assert_eq!(parameters.version(), Some("2010-05-08"));
}

#[test]
fn empty_value_is_kept() {
    let parameters = decode("Description=&RoleName=app");

    assert_eq!(parameters.optional("Description"), Some(""));
}

#[test]
fn duplicate_parameter_is_malformed() {
    assert_eq!(
        error_code("UserName=a&UserName=b"),
        ErrorCode::MalformedQueryString
    );
}

#[test]
fn duplicate_across_query_and_body_is_malformed() {
    let error = QueryParameters::decode(Some("Action=A"), Some(b"Action=B")).unwrap_err();

    assert_eq!(error.code, ErrorCode::MalformedQueryString);
}

#[test]
fn empty_name_is_malformed() {
    assert_eq!(error_code("=value"), ErrorCode::MalformedQueryString);
}

#[test]
fn invalid_utf8_is_malformed() {
    assert_eq!(
        error_code("UserName=%FF%FE"),
        ErrorCode::MalformedQueryString
    );
}

#[test]
fn control_characters_are_rejected() {
    for query in [
        "Description=x%02",
        "Description=%00",
        "ClientIDList.member.1=a%1Fb",
        "Description=%EF%BF%BF",
    ] {
        let error = QueryParameters::decode(Some(query), None).unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationError, "{query}");
        assert!(
            error.message.contains("control characters"),
            "{query}: {}",
            error.message
        );
    }
}

#[test]
fn tab_line_feed_and_carriage_return_are_kept() {
    let parameters = decode("PolicyDocument=%7B%09%0A%0D%7D");

    assert_eq!(parameters.optional("PolicyDocument"), Some("{\t\n\r}"));
}

#[test]
fn too_many_parameters_is_malformed() {
    let query: Vec<String> = (0..=MAX_PARAMETERS)
        .map(|index| format!("P{index}=x"))
        .collect();

    assert_eq!(
        error_code(&query.join("&")),
        ErrorCode::MalformedQueryString
    );
}

#[test]
fn required_reports_missing_member_in_aws_wording() {
    let error = decode("Action=GetUser").required("UserName").unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
    assert_eq!(
        error.message,
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn list_orders_members_by_number() {
    let parameters = decode(
        "ClientIDList.member.2=b&ClientIDList.member.10=j&ClientIDList.member.1=a\
         &ClientIDList.member.3=c&ClientIDList.member.4=d&ClientIDList.member.5=e\
         &ClientIDList.member.6=f&ClientIDList.member.7=g&ClientIDList.member.8=h\
         &ClientIDList.member.9=i",
    );

    let list = parameters.list("ClientIDList").unwrap().unwrap();

    assert_eq!(list, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
}

#[test]
fn absent_list_is_none() {
    assert_eq!(decode("Action=X").list("ClientIDList").unwrap(), None);
}

#[test]
fn empty_list_is_sent_as_bare_name() {
    let list = decode("ClientIDList=").list("ClientIDList").unwrap();

    assert_eq!(list, Some(Vec::new()));
}

#[test]
fn list_with_gap_is_rejected() {
    let error = decode("Names.member.1=a&Names.member.3=c")
        .list("Names")
        .unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
    assert!(
        error.message.contains("Names.member.2"),
        "{}",
        error.message
    );
}

#[test]
fn list_member_number_zero_is_rejected() {
    let error = decode("Names.member.0=a").list("Names").unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
}

#[test]
fn list_member_number_text_is_rejected() {
    let error = decode("Names.member.x=a").list("Names").unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
}

#[test]
fn list_member_number_above_bound_is_rejected() {
    let query = format!("Names.member.{}=a", MAX_LIST_MEMBERS + 1);

    let error = decode(&query).list("Names").unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
}

#[test]
fn list_ignores_names_sharing_prefix() {
    let parameters = decode("Names.member.1=a&NamesOther.member.1=b");

    assert_eq!(
        parameters.list("Names").unwrap(),
        Some(vec!["a".to_owned()])
    );
}

#[test]
fn structures_decode_nested_fields() {
    let parameters = decode(
        "Tags.member.1.Key=team&Tags.member.1.Value=red+blue&Tags.member.2.Key=cost&Tags.member.2.Value=",
    );

    let tags = parameters.structures("Tags").unwrap().unwrap();

    assert_eq!(tags.len(), 2);
    assert_eq!(tags[0]["Key"], "team");
    assert_eq!(tags[0]["Value"], "red blue");
    assert_eq!(tags[1]["Key"], "cost");
    assert_eq!(tags[1]["Value"], "");
}

#[test]
fn structures_reject_bare_member_value() {
    let error = decode("Tags.member.1=x").structures("Tags").unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
}

#[test]
fn list_rejects_structure_member() {
    let error = decode("Names.member.1.Key=x").list("Names").unwrap_err();

    assert_eq!(error.code, ErrorCode::ValidationError);
}

#[test]
fn empty_structure_list_is_sent_as_bare_name() {
    assert_eq!(
        decode("Tags=").structures("Tags").unwrap(),
        Some(Vec::new())
    );
}

#[test]
fn integer_parses_and_rejects_text() {
    let parameters = decode("MaxItems=25&Bad=2x");

    assert_eq!(parameters.integer("MaxItems").unwrap(), Some(25));
    assert_eq!(parameters.integer("Absent").unwrap(), None);
    assert_eq!(
        parameters.integer("Bad").unwrap_err().code,
        ErrorCode::ValidationError
    );
}

#[test]
fn boolean_accepts_only_true_and_false() {
    let parameters = decode("A=true&B=false&C=TRUE&D=1");

    assert_eq!(parameters.boolean("A").unwrap(), Some(true));
    assert_eq!(parameters.boolean("B").unwrap(), Some(false));
    assert_eq!(parameters.boolean("Absent").unwrap(), None);
    assert!(parameters.boolean("C").is_err());
    assert!(parameters.boolean("D").is_err());
}

#[test]
fn iter_lists_every_parameter_sorted() {
    let parameters = decode("b=2&a=1");

    let pairs: Vec<_> = parameters.iter().collect();

    assert_eq!(pairs, [("a", "1"), ("b", "2")]);
}
