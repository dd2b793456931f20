//! Table tests for `tfc::simulate::pattern` (every operator, matching and non-matching events,
//! taken from the examples in AWS's EventBridge user guide) and `tfc::simulate::transform` (the
//! input transformer and the RunTask `overrides` checks).
//!
//! Pages cited (all under https://docs.aws.amazon.com/eventbridge/latest/userguide/):
//! - EP: `eb-event-patterns.html` ("Creating Amazon EventBridge event patterns")
//! - ARR: `eb-event-patterns-arrays.html` ("Arrays in Amazon EventBridge event patterns")
//! - NULL: `eb-event-patterns-null-values.html` ("Matching null values and empty strings")
//! - OPS: `eb-create-pattern-operators.html` ("Comparison operators for use in event patterns"),
//!   its summary table (cited by row) and its sections
//! - CF: `eb-event-patterns-content-based-filtering.html` ("Content filtering in Amazon
//!   EventBridge event patterns")
//! - TI: `eb-transform-target-input.html` ("Amazon EventBridge input transformation")
//! - REC: an event/pattern pair LocalStack recorded against AWS's TestEventPattern
//!   (localstack/localstack `tests/aws/services/events/event_pattern_templates/<name>.json5`),
//!   used where the guide gives no example.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tfc::simulate::pattern::{matches, Mismatch};
use tfc::simulate::transform::{apply, check_overrides, lookup, RuleContext};

/// Asserts each event's verdict against the pattern.
fn table(pattern: Value, cases: &[(Value, bool)]) {
    for (event, expected) in cases {
        let got = matches(&pattern, event);
        assert_eq!(
            got.is_ok(),
            *expected,
            "pattern {pattern}\nevent   {event}\nexpected match: {expected}, got {got:?}"
        );
    }
}

/// A detail-only event.
fn detail(fields: Value) -> Value {
    json!({"source": "test", "detail-type": "test", "detail": fields})
}

/// EP: the Amazon EC2 event and the pattern that selects instance-termination events.
#[test]
fn ep_exact_values_and_nesting() {
    let ec2 = |state: &str| {
        json!({
            "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
            "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
            "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
            "detail": {"instance-id": "i-1234567890abcdef0", "state": state}
        })
    };
    let pattern = json!({
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["terminated"]}
    });
    table(
        pattern.clone(),
        &[
            (ec2("terminated"), true),
            (ec2("running"), false),
            // EP: "the event must contain all the field names listed in the event pattern".
            (
                json!({"source": "aws.ec2", "detail": {"state": "terminated"}}),
                false,
            ),
            // Strings match exactly: case matters.
            (ec2("Terminated"), false),
            // EP: "The field names must also appear in the event with the same nesting structure."
            (
                json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification",
                       "state": "terminated"}),
                false,
            ),
        ],
    );
    let m = matches(&pattern, &ec2("running")).unwrap_err();
    assert_eq!(
        m,
        Mismatch {
            path: "detail.state".into(),
            condition: "one of [\"terminated\"]".into(),
            found: Some(json!("running"))
        }
    );
    // EP: "Matching event values": a leaf array is an OR over its values.
    table(
        json!({"source": ["aws.ec2", "aws.fargate"]}),
        &[
            (json!({"source": "aws.fargate"}), true),
            (json!({"source": "aws.ec2"}), true),
            (json!({"source": "aws.s3"}), false),
        ],
    );
    // OPS row "And": Location is "New York" and Day is "Monday".
    table(
        json!({"Location": ["New York"], "Day": ["Monday"]}),
        &[
            (json!({"Location": "New York", "Day": "Monday"}), true),
            (json!({"Location": "New York", "Day": "Tuesday"}), false),
            (json!({"Location": "New York"}), false),
        ],
    );
}

/// ARR: the `resources` example; an event array matches when it shares a value with the pattern.
#[test]
fn arr_event_arrays_intersect() {
    let pattern = json!({"resources": [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
    ]});
    let asg = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate";
    table(
        pattern,
        &[
            (
                json!({"resources": [asg, "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}),
                true,
            ),
            // REC arrays_NEG: no shared value.
            (json!({"resources": [asg]}), false),
            (json!({"resources": []}), false),
        ],
    );
    // REC arrays_empty_null_NEG: `[null]` does not match an empty array.
    table(
        json!({"resources": [null]}),
        &[(json!({"resources": []}), false)],
    );
}

/// RULER README "JSON Array Matching" (REC list_within_dict): a pattern object over an array of
/// objects matches when one element matches it, and only with fields from the same element.
#[test]
fn arrays_of_objects_match_element_wise() {
    let employees = json!({"employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"}
    ]});
    table(
        json!({"employees": {"firstName": ["Anna"]}}),
        &[(employees.clone(), true)],
    );
    table(
        json!({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}),
        &[(employees.clone(), false)],
    );
    table(
        json!({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}),
        &[(employees, true)],
    );
    // REC list_within_dict.
    table(
        json!({"detail": {"automations": {"id": [{"exists": true}]}}}),
        &[(
            detail(json!({"automations": [{"key1": "value1"}, {"id": "match-does-exist"}]})),
            true,
        )],
    );
}

/// NULL: the Auto Scaling event with an empty `eventVersion` and a null `responseElements`.
#[test]
fn null_values_and_empty_strings() {
    let event = json!({
        "version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
        "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling",
        "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1",
        "resources": [], "detail": {"eventVersion": "", "responseElements": null}
    });
    table(
        json!({"detail": {"eventVersion": [""]}}),
        &[(event.clone(), true)],
    );
    table(
        json!({"detail": {"responseElements": [null]}}),
        &[(event.clone(), true)],
    );
    // NULL: "Null values and empty strings are not interchangeable in pattern matching."
    table(
        json!({"detail": {"eventVersion": [null]}}),
        &[(event.clone(), false)],
    );
    table(
        json!({"detail": {"responseElements": [""]}}),
        &[(event, false)],
    );
    // `[null]` does not match a missing field.
    table(
        json!({"detail": {"other": [null]}}),
        &[(detail(json!({})), false)],
    );
    // OPS rows "Null" (UserID is null) and "Empty" (LastName is empty).
    table(
        json!({"UserID": [null], "LastName": [""]}),
        &[
            (json!({"UserID": null, "LastName": ""}), true),
            (json!({"UserID": "u1", "LastName": ""}), false),
        ],
    );
}

/// OPS row "Numeric (equals)": Price is 100; numbers compare by value, booleans are not numbers.
#[test]
fn exact_numbers_and_booleans() {
    table(
        json!({"Price": [100]}),
        &[
            (json!({"Price": 100}), true),
            (json!({"Price": 100.0}), true),
            (json!({"Price": 1e2}), true),
            (json!({"Price": 101}), false),
            (json!({"Price": "100"}), false),
        ],
    );
    // REC boolean / boolean_NEG; RULER "JSON text matching": `true` matches only the literal.
    table(
        json!({"boolean": [true]}),
        &[
            (json!({"boolean": true}), true),
            (json!({"boolean": false}), false),
            (json!({"boolean": "true"}), false),
            (json!({"boolean": 1}), false),
        ],
    );
}

/// OPS "Prefix matching": the `time` example; prefix only works on strings.
#[test]
fn prefix() {
    table(
        json!({"time": [{"prefix": "2017-10-02"}]}),
        &[
            (json!({"time": "2017-10-02T18:43:48Z"}), true),
            (json!({"time": "2017-10-03T18:43:48Z"}), false),
            (json!({"time": "2017-10-0"}), false),
            (json!({"time": 20171002}), false),
            (json!({}), false),
        ],
    );
    // OPS row "Begins with": Region is in the US.
    table(
        json!({"Region": [{"prefix": "us-"}]}),
        &[
            (json!({"Region": "us-east-1"}), true),
            (json!({"Region": "eu-west-1"}), false),
            (json!({"Region": ["eu-west-1", "us-west-2"]}), true),
        ],
    );
    let m = matches(
        &json!({"Region": [{"prefix": "us-"}]}),
        &json!({"Region": 5}),
    )
    .unwrap_err();
    assert_eq!(m.condition, "prefix \"us-\"");
    assert_eq!(m.found, Some(json!(5)));
}

/// OPS row "Begins with (ignore case)": service starts with "eventb", regardless of case.
#[test]
fn prefix_ignoring_case() {
    table(
        json!({"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}),
        &[
            (json!({"service": "EventBridge"}), true),
            (json!({"service": "EVENTBRIDGE"}), true),
            (json!({"service": "eventbridge"}), true),
            (json!({"service": "SQS"}), false),
            (json!({"service": 1}), false),
        ],
    );
}

/// OPS row "Ends with": FileName ends with a .png extension.
#[test]
fn suffix() {
    table(
        json!({"FileName": [{"suffix": ".png"}]}),
        &[
            (json!({"FileName": "image.png"}), true),
            (json!({"FileName": "image.PNG"}), false),
            (json!({"FileName": "image.png.txt"}), false),
            (json!({"FileName": null}), false),
        ],
    );
}

/// OPS row "Ends with (ignore case)": service ends with "tbridge" in any casing.
#[test]
fn suffix_ignoring_case() {
    table(
        json!({"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]}),
        &[
            (json!({"service": "EventBridge"}), true),
            (json!({"service": "EVENTBRIDGE"}), true),
            (json!({"service": "EventBus"}), false),
        ],
    );
}

/// OPS row "Equals (ignore case)": Name is "Alice" (pattern "alice").
#[test]
fn equals_ignore_case() {
    table(
        json!({"Name": [{"equals-ignore-case": "alice"}]}),
        &[
            (json!({"Name": "Alice"}), true),
            (json!({"Name": "ALICE"}), true),
            (json!({"Name": "Alicia"}), false),
            (json!({"Name": ["Bob", "aLiCe"]}), true),
            (json!({"Name": true}), false),
        ],
    );
}

/// OPS row "Wildcard": any file with a .png extension located within the folder "dir"; OPS
/// "Wildcard matching": `*` matches any characters, `\*` and `\\` escape.
#[test]
fn wildcard() {
    table(
        json!({"EventFile": [{"wildcard": "dir/*.png"}]}),
        &[
            (json!({"EventFile": "dir/a.png"}), true),
            (json!({"EventFile": "dir/sub/a.png"}), true),
            (json!({"EventFile": "dir/.png"}), true),
            (json!({"EventFile": "other/a.png"}), false),
            (json!({"EventFile": "dir/a.png.bak"}), false),
            (json!({"EventFile": 5}), false),
        ],
    );
    table(
        json!({"x": [{"wildcard": "a\\*b\\\\c"}]}),
        &[
            (json!({"x": "a*b\\c"}), true),
            (json!({"x": "aXb\\c"}), false),
        ],
    );
    table(
        json!({"arn": [{"wildcard": "arn:aws:events:*:*:event-bus/*"}]}),
        &[
            (
                json!({"arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}),
                true,
            ),
            (
                json!({"arn": "arn:aws:sqs:us-east-1:123456789012:queue"}),
                false,
            ),
        ],
    );
}

/// CF/OPS "Anything-but matching": the `state` and `x-limit` examples (single values and lists).
#[test]
fn anything_but_values_and_lists() {
    table(
        json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
        &[
            (detail(json!({"state": "running"})), true),
            (detail(json!({"state": "initializing"})), false),
            // REC content_anything_but_string_missing_NEG: a missing field does not match.
            (detail(json!({})), false),
            // REC content_anything_but_string_null: null is "anything but".
            (detail(json!({"state": null})), true),
            // A number is not the string.
            (detail(json!({"state": 5})), true),
        ],
    );
    table(
        json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
        &[
            (detail(json!({"x-limit": 301.8})), true),
            (detail(json!({"x-limit": 123})), false),
            (detail(json!({"x-limit": 123.0})), false),
        ],
    );
    table(
        json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
        &[
            (detail(json!({"state": "running"})), true),
            (detail(json!({"state": "stopped"})), false),
            (detail(json!({"state": "overloaded"})), false),
        ],
    );
    table(
        json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
        &[
            (detail(json!({"x-limit": 301.8})), true),
            (detail(json!({"x-limit": 200})), false),
        ],
    );
    // OPS row "Anything-but": Weather is anything but "Raining".
    table(
        json!({"Weather": [{"anything-but": ["Raining"]}]}),
        &[
            (json!({"Weather": "Sunny"}), true),
            (json!({"Weather": "Raining"}), false),
        ],
    );
}

/// OPS rows "Anything-but (begins with | ends with | ignore case | using a wildcard)".
#[test]
fn anything_but_operators() {
    table(
        json!({"Region": [{"anything-but": {"prefix": "us-"}}]}),
        &[
            (json!({"Region": "eu-west-1"}), true),
            (json!({"Region": "us-east-1"}), false),
            // REC content_anything_prefix_int_value: a number does not start with "init".
            (json!({"Region": 12}), true),
            (json!({}), false),
        ],
    );
    table(
        json!({"FileName": [{"anything-but": {"suffix": ".png"}}]}),
        &[
            (json!({"FileName": "a.txt"}), true),
            (json!({"FileName": "a.png"}), false),
        ],
    );
    table(
        json!({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}),
        &[
            (json!({"state": "running"}), true),
            (json!({"state": "INITIALIZING"}), false),
            (json!({"state": "Initializing"}), false),
        ],
    );
    table(
        json!({"state": [{"anything-but": {"equals-ignore-case": ["initializing", "stopped"]}}]}),
        &[
            (json!({"state": "running"}), true),
            (json!({"state": "Stopped"}), false),
            // REC content_anything_but_ignorecase_list_null.
            (json!({"state": null}), true),
        ],
    );
    table(
        json!({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}),
        &[
            (json!({"FilePath": "/usr/bin/tool"}), true),
            (json!({"FilePath": "/usr/lib/tool"}), false),
            // REC content_anything_wildcard_int.
            (json!({"FilePath": 123}), true),
        ],
    );
    table(
        json!({"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}),
        &[
            (json!({"FilePath": "/usr/share/x"}), true),
            (json!({"FilePath": "/usr/bin/tool"}), false),
        ],
    );
}

/// CF/OPS "Numeric matching": the c-count / d-count / x-limit example; only JSON numbers.
#[test]
fn numeric() {
    let pattern = json!({"detail": {
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"numeric": ["=", 3.018e2]}]
    }});
    table(
        pattern.clone(),
        &[
            (
                detail(json!({"c-count": 5, "d-count": 3, "x-limit": 301.8})),
                true,
            ),
            (
                detail(json!({"c-count": 0, "d-count": 3, "x-limit": 301.8})),
                false,
            ),
            (
                detail(json!({"c-count": 6, "d-count": 3, "x-limit": 301.8})),
                false,
            ),
            (
                detail(json!({"c-count": 5, "d-count": 10, "x-limit": 301.8})),
                false,
            ),
            (
                detail(json!({"c-count": 5, "d-count": 3, "x-limit": 301.9})),
                false,
            ),
            // CF: "Numeric matching works with values that are JSON numbers".
            (
                detail(json!({"c-count": "5", "d-count": 3, "x-limit": 301.8})),
                false,
            ),
            (
                detail(json!({"c-count": true, "d-count": 3, "x-limit": 301.8})),
                false,
            ),
            // REC numeric-null_NEG.
            (
                detail(json!({"c-count": null, "d-count": 3, "x-limit": 301.8})),
                false,
            ),
        ],
    );
    let m = matches(&pattern, &detail(json!({"c-count": 9, "d-count": 3}))).unwrap_err();
    assert_eq!(m.path, "detail.c-count");
    assert_eq!(m.condition, "numeric [\">\",0,\"<=\",5]");
    assert_eq!(m.found, Some(json!(9)));
    // OPS row "Numeric (range)": Price is more than 10, and less than or equal to 20.
    table(
        json!({"Price": [{"numeric": [">", 10, "<=", 20]}]}),
        &[
            (json!({"Price": 10}), false),
            (json!({"Price": 10.5}), true),
            (json!({"Price": 20}), true),
            (json!({"Price": 20.01}), false),
            (json!({"Price": [1, 15]}), true),
        ],
    );
    table(
        json!({"n": [{"numeric": [">=", -1.5, "<", 0]}]}),
        &[(json!({"n": -1.5}), true), (json!({"n": 0}), false)],
    );
}

/// CF/OPS "IP address matching": `10.0.0.0/24`, and IPv6; only strings.
#[test]
fn cidr() {
    table(
        json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
        &[
            (detail(json!({"sourceIPAddress": "10.0.0.0"})), true),
            (detail(json!({"sourceIPAddress": "10.0.0.255"})), true),
            (detail(json!({"sourceIPAddress": "10.0.1.0"})), false),
            (detail(json!({"sourceIPAddress": "2001:db8::1"})), false),
            (detail(json!({"sourceIPAddress": "not-an-ip"})), false),
            // REC content_ip_address_bad_type_NEG.
            (detail(json!({"sourceIPAddress": 123})), false),
        ],
    );
    table(
        json!({"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/32"}]}}),
        &[
            (detail(json!({"sourceIPAddress": "2001:db8::1"})), true),
            (detail(json!({"sourceIPAddress": "2001:DB8:FFFF::1"})), true),
            (detail(json!({"sourceIPAddress": "2001:db9::1"})), false),
            (detail(json!({"sourceIPAddress": "10.0.0.1"})), false),
        ],
    );
}

/// CF/OPS "Exists matching": `detail.c-count` present or absent; only leaf nodes count.
#[test]
fn exists() {
    let present = json!({"detail": {"c-count": [{"exists": true}]}});
    let absent = json!({"detail": {"c-count": [{"exists": false}]}});
    let with = detail(json!({"c-count": 5}));
    let without = detail(json!({"state": "running"}));
    // CF: "also matches the following event because c-count isn't a leaf node".
    let object = detail(json!({"state": "running", "c-count": {"c1": 100}}));
    table(
        present.clone(),
        &[
            (with.clone(), true),
            (without.clone(), false),
            (object.clone(), false),
        ],
    );
    table(
        absent.clone(),
        &[(with, false), (without, true), (object, true)],
    );
    // CF: "The value of the field is not considered": a null field exists.
    table(present.clone(), &[(detail(json!({"c-count": null})), true)]);
    table(absent.clone(), &[(detail(json!({"c-count": null})), false)]);
    // An empty array holds no leaf value (see the module docs).
    table(present, &[(detail(json!({"c-count": []})), false)]);
    table(absent, &[(detail(json!({"c-count": []})), true)]);
    // REC content_exists_false_NEG: a deep leaf that is there.
    table(
        json!({"detail": {"level1": {"level2": {"level3": {"level4": [{"exists": false}]}}}}}),
        &[(
            detail(json!({"level1": {"level2": {"level3": {"level4": "l4 value"}}}})),
            false,
        )],
    );
    // REC or-exists / or-exists-parent: below a missing or scalar parent, fields are absent.
    let p = json!({"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": false}]}}}});
    table(
        p,
        &[
            (
                json!({"dynamodb": {"NewImage": {"homemade": {"N": "789"}}}}),
                true,
            ),
            (
                json!({"dynamodb": {"NewImage": {"purchased": {"N": "789"}}}}),
                true,
            ),
            (
                json!({"dynamodb": {"NewImage": {"homemade": "scalar"}}}),
                true,
            ),
            (
                json!({"dynamodb": {"NewImage": {"homemade": {"S": "roses"}}}}),
                false,
            ),
            (
                json!({"dynamodb": {"NewImage": {"homemade": {"S": "tulips"}}}}),
                true,
            ),
        ],
    );
}

/// OPS rows "Or" and "Or (multiple fields)"; `$or` at the root and nested (CF "Complex example
/// with $or matching").
#[test]
fn or() {
    // OPS: PaymentType is "Credit" or "Debit" (a leaf array).
    table(
        json!({"PaymentType": ["Credit", "Debit"]}),
        &[
            (json!({"PaymentType": "Debit"}), true),
            (json!({"PaymentType": "Cash"}), false),
        ],
    );
    // OPS: Location is "New York", or Day is "Monday".
    let pattern = json!({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]});
    table(
        pattern.clone(),
        &[
            (json!({"Location": "New York", "Day": "Friday"}), true),
            (json!({"Location": "Boston", "Day": "Monday"}), true),
            (json!({"Location": "Boston", "Day": "Friday"}), false),
        ],
    );
    let m = matches(&pattern, &json!({"Location": "Boston"})).unwrap_err();
    assert_eq!(m.path, "Location");
    assert!(
        m.condition
            .contains("none of the other 1 `$or` alternatives"),
        "{}",
        m.condition
    );
    table(
        json!({"detail": {"$or": [
            {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
            {"d-count": [{"numeric": ["<", 10]}]},
            {"x-limit": [{"numeric": ["=", 3.018e2]}]}
        ]}}),
        &[
            (detail(json!({"c-count": 1})), true),
            (detail(json!({"d-count": 3})), true),
            (detail(json!({"x-limit": 301.8})), true),
            (
                detail(json!({"c-count": 9, "d-count": 30, "x-limit": 1})),
                false,
            ),
        ],
    );
    // RULER README "Nested Or and And".
    table(
        json!({"source": ["aws.cloudwatch"], "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"],
             "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
            {"scope": ["Service"]}
        ]}),
        &[
            (
                json!({"source": "aws.cloudwatch", "metricName": "ReadLatency"}),
                true,
            ),
            (
                json!({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1000}),
                true,
            ),
            (
                json!({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1}),
                false,
            ),
            (json!({"source": "aws.ec2", "scope": "Service"}), false),
        ],
    );
}

/// CF "Complex example with multiple matching": operators combined across fields.
#[test]
fn cf_complex_example() {
    let pattern = json!({
        "time": [{"prefix": "2017-10-02"}],
        "detail": {
            "state": [{"anything-but": "initializing"}],
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"anything-but": [100, 200, 300]}]
        }
    });
    let event = |state: &str, x: f64| {
        json!({"time": "2017-10-02T16:24:49Z",
               "detail": {"state": state, "c-count": 5, "d-count": 3, "x-limit": x}})
    };
    table(
        pattern,
        &[
            (event("running", 301.8), true),
            (event("initializing", 301.8), false),
            (event("running", 200.0), false),
        ],
    );
}

/// A pattern object over a scalar, or a leaf array over an object, never matches a value.
#[test]
fn structure_mismatches() {
    table(
        json!({"detail": {"state": ["running"]}}),
        &[
            (json!({"detail": "running"}), false),
            (json!({"detail": ["running"]}), false),
        ],
    );
    table(
        json!({"detail": ["running"]}),
        &[(json!({"detail": {"state": "running"}}), false)],
    );
    let m = matches(&json!({"detail": ["x"]}), &json!({"detail": {"a": 1}})).unwrap_err();
    assert_eq!(m.found, Some(json!({"a": 1})));
    assert!(matches(&json!(["not", "an", "object"]), &json!({})).is_err());
}

// ---- input transformer -------------------------------------------------------------------

const SEED_TEMPLATE: &str = r#"{"containerOverrides":[{"name":"web","environment":[{"name":"MANAGEMENT_COMMAND","value":<detail-command>}]}]}"#;

fn ctx() -> RuleContext<'static> {
    RuleContext {
        rule_arn: "arn:aws:events:eu-west-1:123456789012:rule/my-proj-manage",
        rule_name: "my-proj-manage",
        ingestion_time: "2024-05-01T12:00:00Z",
    }
}

fn seed_paths() -> BTreeMap<String, String> {
    BTreeMap::from([("detail-command".to_string(), "$.detail.command".to_string())])
}

fn seed_event(command: Value) -> Value {
    json!({"source": "com.corp.env.my-proj.manage", "detail-type": "Management",
           "detail": {"subject": "execute", "command": command}})
}

fn problems(text: &str, container: &str) -> Vec<String> {
    match check_overrides(text, container) {
        Ok(v) => panic!("expected problems for {text}, got {v}"),
        Err(p) => p.into_iter().map(|p| p.message).collect(),
    }
}

/// The seed: its pattern matches the event, and the transformer hands ECS the command (TI
/// "Simple JSON": a string placeholder standing alone becomes a JSON string).
#[test]
fn seed_case() {
    let pattern = json!({"source": ["com.corp.env.my-proj.manage"], "detail-type": ["Management"],
                         "detail": {"subject": ["execute"]}});
    let event = seed_event(json!("showmigrations myapp"));
    assert_eq!(matches(&pattern, &event), Ok(()));
    let text = apply(&seed_paths(), SEED_TEMPLATE, &event, &ctx());
    assert_eq!(
        text,
        r#"{"containerOverrides":[{"name":"web","environment":[{"name":"MANAGEMENT_COMMAND","value":"showmigrations myapp"}]}]}"#
    );
    let overrides = check_overrides(&text, "web").unwrap();
    assert_eq!(
        overrides["containerOverrides"][0]["environment"][0]["value"],
        json!("showmigrations myapp")
    );
    // Quotes and backslashes in the event string stay a valid JSON string.
    let tricky = seed_event(json!("shell -c \"print('a\\\\b')\"\n"));
    let text = apply(&seed_paths(), SEED_TEMPLATE, &tricky, &ctx());
    let overrides = check_overrides(&text, "web").unwrap();
    assert_eq!(
        overrides["containerOverrides"][0]["environment"][0]["value"],
        tricky["detail"]["command"]
    );
    // The subject is wrong: no match, and the mismatch says where.
    let other = json!({"source": "com.corp.env.my-proj.manage", "detail-type": "Management",
                       "detail": {"subject": "inspect"}});
    let m = matches(&pattern, &other).unwrap_err();
    assert_eq!(
        (m.path.as_str(), m.found),
        ("detail.subject", Some(json!("inspect")))
    );
}

/// A number from the event lands in an environment value: ECS expects a string.
#[test]
fn number_in_environment_value() {
    let text = apply(&seed_paths(), SEED_TEMPLATE, &seed_event(json!(42)), &ctx());
    assert!(text.contains(r#""value":42"#), "{text}");
    let p = problems(&text, "web");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("environment[0].value (MANAGEMENT_COMMAND) is the number 42"),
        "{p:?}"
    );
    for (value, kind) in [
        (json!(null), "null"),
        (json!({"a": 1}), "an object"),
        (json!(true), "true"),
    ] {
        let text = apply(&seed_paths(), SEED_TEMPLATE, &seed_event(value), &ctx());
        let p = problems(&text, "web");
        assert!(
            p[0].contains(&format!("is {kind}; ECS expects a string")),
            "{p:?}"
        );
    }
}

/// TI "Common issues": a variable whose path is missing "isn't created": the placeholder
/// becomes empty and the JSON is invalid.
#[test]
fn missing_path_gives_invalid_json() {
    let event = json!({"source": "com.corp.env.my-proj.manage", "detail": {"subject": "execute"}});
    let text = apply(&seed_paths(), SEED_TEMPLATE, &event, &ctx());
    assert!(text.contains(r#""value":}"#), "{text}");
    let p = problems(&text, "web");
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("not valid JSON"), "{p:?}");
    // Inside a quoted string a missing path is just empty.
    let text = apply(
        &seed_paths(),
        r#"{"a":"x<detail-command>y"}"#,
        &event,
        &ctx(),
    );
    assert_eq!(text, r#"{"a":"xy"}"#);
}

/// The container named in the overrides must be the task definition's container.
#[test]
fn wrong_container_name() {
    let text = apply(
        &seed_paths(),
        SEED_TEMPLATE,
        &seed_event(json!("migrate")),
        &ctx(),
    );
    let p = problems(&text, "app");
    assert_eq!(p.len(), 1);
    assert!(
        p[0].contains(
            "containerOverrides[0].name is \"web\", but the task definition's container is \"app\""
        ),
        "{p:?}"
    );
    assert!(
        problems(r#"{"containerOverrides":[{"command":["a"]}]}"#, "app")[0].contains("has no name")
    );
}

/// A command array taken from the event stands alone as JSON (TI "JSON with a mix of variables").
#[test]
fn command_array_from_event() {
    let paths = BTreeMap::from([("detail-argv".to_string(), "$.detail.argv".to_string())]);
    let template = r#"{"containerOverrides":[{"name":"web","command":<detail-argv>}]}"#;
    let event = json!({"detail": {"argv": ["python", "manage.py", "migrate", "--plan"]}});
    let text = apply(&paths, template, &event, &ctx());
    let overrides = check_overrides(&text, "web").unwrap();
    assert_eq!(
        overrides["containerOverrides"][0]["command"],
        json!(["python", "manage.py", "migrate", "--plan"])
    );
    let bad = apply(
        &paths,
        template,
        &json!({"detail": {"argv": ["sleep", 5]}}),
        &ctx(),
    );
    let p = problems(&bad, "web");
    assert!(
        p[0].contains("command[1] is the number 5; ECS expects a string"),
        "{p:?}"
    );
    let string = apply(
        &paths,
        template,
        &json!({"detail": {"argv": "migrate"}}),
        &ctx(),
    );
    let p = problems(&string, "web");
    assert!(
        p[0].contains("command is the string \"migrate\"; ECS expects an array of strings"),
        "{p:?}"
    );
    // An environment entry without a string name.
    let p = problems(
        r#"{"containerOverrides":[{"name":"web","environment":[{"value":"x"},{"name":1,"value":"y"}]}]}"#,
        "web",
    );
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].contains("environment[0] has no name")
            && p[1].contains("environment[1].name is the number 1")
    );
}

/// RunTask allows at most 8192 characters of overrides.
#[test]
fn overrides_over_8192_characters() {
    let fits = "x".repeat(8192 - SEED_TEMPLATE.len() + "<detail-command>".len() - 2);
    let text = apply(
        &seed_paths(),
        SEED_TEMPLATE,
        &seed_event(json!(fits)),
        &ctx(),
    );
    assert_eq!(text.chars().count(), 8192);
    assert!(check_overrides(&text, "web").is_ok());
    let long = format!("{fits}y");
    let text = apply(
        &seed_paths(),
        SEED_TEMPLATE,
        &seed_event(json!(long)),
        &ctx(),
    );
    let p = problems(&text, "web");
    assert_eq!(
        p,
        vec!["the overrides are 8193 characters; RunTask allows at most 8192".to_string()]
    );
}

/// TI "Predefined variables" and the TI examples with strings, quotes and reserved variables.
#[test]
fn reserved_placeholders_and_strings() {
    let paths = BTreeMap::from([
        ("instance".to_string(), "$.detail.instance-id".to_string()),
        ("state".to_string(), "$.detail.state".to_string()),
        ("first".to_string(), "$.resources[0]".to_string()),
    ]);
    let event = json!({"time": "2015-11-11T21:29:54Z", "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
                       "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}});
    // TI "JSON with strings and variables".
    let t = r#"{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}"#;
    assert_eq!(
        serde_json::from_str::<Value>(&apply(&paths, t, &event, &ctx())).unwrap(),
        json!({"instance": "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \"i-0123456789\" is in RUNNING"})
    );
    // TI "Including reserved variables in JSON" / "in a string".
    let t = r#"{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": "<aws.events.event.ingestion-time>", "original": <aws.events.event>, "json": <aws.events.event.json>, "first": <first>, "undefined": "<nope>"}"#;
    let out: Value = serde_json::from_str(&apply(&paths, t, &event, &ctx())).unwrap();
    assert_eq!(
        out["ruleArn"],
        json!("arn:aws:events:eu-west-1:123456789012:rule/my-proj-manage")
    );
    assert_eq!(out["ruleName"], json!("my-proj-manage"));
    assert_eq!(out["at"], json!("2024-05-01T12:00:00Z"));
    assert_eq!(out["original"], event);
    assert_eq!(out["json"], event);
    assert_eq!(
        out["first"],
        json!("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111")
    );
    assert_eq!(out["undefined"], json!("<nope>"));
    assert_eq!(
        apply(
            &paths,
            r#""<aws.events.rule-name> triggered""#,
            &event,
            &ctx()
        ),
        r#""my-proj-manage triggered""#
    );
    // Numbers inside a string are their JSON text; objects inside a string break the JSON.
    let paths = BTreeMap::from([
        ("n".to_string(), "$.n".to_string()),
        ("o".to_string(), "$.o".to_string()),
    ]);
    let e = json!({"n": 5, "o": {"k": "v"}});
    assert_eq!(
        apply(&paths, r#"{"a":"n=<n>"}"#, &e, &ctx()),
        r#"{"a":"n=5"}"#
    );
    assert!(check_overrides(&apply(&paths, r#"{"a":"<o>"}"#, &e, &ctx()), "web").is_err());
    assert_eq!(lookup(&e, "$.o.k"), Some(&json!("v")));
}

// Issue families measured against Event Ruler (RULER: the aws/event-ruler README and source,
// `software.amazon.event.ruler`), and the user guide's "Considerations when creating event
// patterns" (CONS: `eb-create-pattern.html#eb-create-pattern-considerations`).

/// CONS: "when EventBridge compiles event patterns for use, it uses dot (.) as the joining
/// character", so a dotted key is the nested field; RULER "Caveat: Compiled rules and JSON keys
/// with dots" (both the pattern's and the event's keys).
#[test]
fn cons_dotted_keys_are_nested_fields() {
    table(
        json!({"properties.foo": [{"wildcard": "*bar*"}]}),
        &[
            (json!({"properties": {"foo": "foobar"}}), true),
            (json!({"properties": {"foo": "baz"}}), false),
            (json!({"properties.foo": "foobar"}), true),
            (json!({"properties": {"other": "foobar"}}), false),
        ],
    );
    // A dotted key next to the nested form of the same parent: both fields apply.
    table(
        json!({"detail": {"a": ["1"]}, "detail.b": ["2"]}),
        &[
            (json!({"detail": {"a": "1", "b": "2"}}), true),
            (json!({"detail": {"a": "1", "b": "3"}}), false),
            (json!({"detail": {"b": "2"}}), false),
        ],
    );
    // Deeper: `detail.state.status` is `detail` → `state` → `status`.
    table(
        json!({"detail": {"state.status": ["running"]}}),
        &[
            (detail(json!({"state": {"status": "running"}})), true),
            (detail(json!({"state": {"status": "stopped"}})), false),
        ],
    );
}

/// CONS: "If multiple patterns are specified for the same JSON field, EventBridge only uses
/// the last one": the nested form and the dotted form of one field, in either order.
#[test]
fn cons_a_field_given_twice_uses_the_last() {
    table(
        json!({"detail": {"state": ["a"]}, "detail.state": ["b"]}),
        &[
            (detail(json!({"state": "b"})), true),
            (detail(json!({"state": "a"})), false),
        ],
    );
    table(
        json!({"detail.state": ["b"], "detail": {"state": ["a"]}}),
        &[
            (detail(json!({"state": "a"})), true),
            (detail(json!({"state": "b"})), false),
        ],
    );
    let (_, ignored) = tfc::simulate::pattern::normalize(
        &json!({"detail": {"state": ["a"]}, "detail.state": ["b"]}),
    );
    assert_eq!(ignored.len(), 1);
    assert_eq!(
        (ignored[0].pointer.as_str(), ignored[0].field.as_str()),
        ("/detail/state", "detail.state")
    );
}

/// RULER "$or": each alternative is compiled as a rule of its own together with the fields
/// around it, and the alternative's field is the one used (CONS, "only uses the last one").
#[test]
fn ruler_or_alternative_replaces_the_same_field_outside() {
    let pattern = json!({
        "name": ["a", "b"],
        "$or": [{"name": [{"anything-but": "a"}]}, {"other": ["x"]}]
    });
    table(
        pattern.clone(),
        &[
            // First alternative: name is anything but "a" (the outer list is not applied).
            (json!({"name": "c"}), true),
            (json!({"name": "b"}), true),
            (json!({"name": "a"}), false),
            // Second alternative: the outer name list and other = x.
            (json!({"name": "a", "other": "x"}), true),
            (json!({"name": "c", "other": "y"}), true),
        ],
    );
    let (_, ignored) = tfc::simulate::pattern::normalize(&pattern);
    assert!(
        ignored.iter().all(|i| i.by_or && i.field == "name"),
        "{ignored:?}"
    );
    // Nested: the alternative's detail.x replaces the outer one, the outer detail.y stays.
    table(
        json!({"detail": {"x": ["1"], "y": ["2"]}, "$or": [{"detail": {"x": ["9"]}}, {"source": ["s"]}]}),
        &[
            (detail(json!({"x": "9", "y": "2"})), true),
            (detail(json!({"x": "9", "y": "3"})), false),
            (json!({"source": "s", "detail": {"x": "1", "y": "2"}}), true),
            (
                json!({"source": "s", "detail": {"x": "8", "y": "2"}}),
                false,
            ),
        ],
    );
}

/// RULER `EqualsIgnoreCaseParser`: each pattern character stands for its `Locale.ROOT` lower-
/// or upper-case mapping, so full mappings count and the relation is not symmetric.
#[test]
fn ruler_equals_ignore_case_uses_full_case_mappings_of_the_pattern() {
    let eic = |p: &str| json!({"detail": {"s": [{"equals-ignore-case": p}]}});
    let s = |v: &str| detail(json!({ "s": v }));
    table(
        eic("straße"),
        &[
            (s("STRASSE"), true),
            (s("Straße"), true),
            (s("strasse"), false),
        ],
    );
    // Upper-case ß maps to SS, but an event's ß is no spelling of S.
    table(
        eic("STRASSE"),
        &[(s("straße"), false), (s("strasse"), true)],
    );
    // Final sigma: ς maps to ς and Σ; σ is neither.
    table(eic("ς"), &[(s("Σ"), true), (s("ς"), true), (s("σ"), false)]);
    table(eic("Σ"), &[(s("σ"), true), (s("ς"), false)]);
    // Dotless ı maps to ı and I; I maps to i and I.
    table(eic("ı"), &[(s("I"), true), (s("i"), false)]);
    table(eic("I"), &[(s("ı"), false), (s("i"), true)]);
    // Characters beyond the BMP are UTF-16 surrogate pairs in Java: no case mapping.
    table(eic("𐐨"), &[(s("𐐨"), true), (s("𐐀"), false)]);
    // The prefix, suffix and anything-but forms fold the same way.
    let op = |o: Value| json!({"detail": {"s": [o]}});
    table(
        op(json!({"prefix": {"equals-ignore-case": "straße"}})),
        &[(s("STRASSE-1"), true), (s("STRASS"), false)],
    );
    table(
        op(json!({"suffix": {"equals-ignore-case": "straße"}})),
        &[(s("Haupt-STRASSE"), true), (s("Haupt-STRAS"), false)],
    );
    table(
        op(json!({"anything-but": {"equals-ignore-case": ["straße"]}})),
        &[(s("STRASSE"), false), (s("Gasse"), true)],
    );
}

/// Exact numbers: integers compare exactly (IDs of 19–20 digits exceed a double's 53 bits);
/// RULER compiles exact numbers numerically, so `5` is still `5.0`.
#[test]
fn exact_numbers_beyond_double_precision_stay_distinct() {
    table(
        json!({"detail": {"id": [12345678901234567890u64]}}),
        &[
            (detail(json!({"id": 12345678901234567890u64})), true),
            (detail(json!({"id": 12345678901234567891u64})), false),
        ],
    );
    table(
        json!({"detail": {"id": [-9007199254740993i64]}}),
        &[
            (detail(json!({"id": -9007199254740993i64})), true),
            (detail(json!({"id": -9007199254740992i64})), false),
        ],
    );
    table(
        json!({"detail": {"n": [5]}}),
        &[
            (detail(json!({"n": 5.0})), true),
            (detail(json!({"n": 5.5})), false),
        ],
    );
}

/// RULER README "Anything-but matching": prefix and suffix lists (any listed prefix excludes).
#[test]
fn ruler_anything_but_prefix_and_suffix_lists() {
    let ab = |o: Value| json!({"detail": {"state": [{"anything-but": o}]}});
    let st = |v: &str| detail(json!({ "state": v }));
    table(
        ab(json!({"prefix": ["init", "error"]})),
        &[
            (st("initializing"), false),
            (st("error-7"), false),
            (st("running"), true),
        ],
    );
    table(
        ab(json!({"suffix": [".png", ".jpg"]})),
        &[
            (st("a.png"), false),
            (st("b.jpg"), false),
            (st("c.txt"), true),
        ],
    );
}

/// Leading zeros: an IPv4 address with a zero-padded part (`010.1.2.3`) is not an address
/// (Rust's parser, like the WHATWG and inet_pton rules, refuses it), so a `cidr` never matches
/// it; the value still matches as a string.
#[test]
fn leading_zero_ipv4_is_not_an_address() {
    let cidr = json!({"detail": {"ip": [{"cidr": "10.0.0.0/8"}]}});
    table(
        cidr,
        &[
            (detail(json!({"ip": "10.1.2.3"})), true),
            (detail(json!({"ip": "010.1.2.3"})), false),
        ],
    );
}
