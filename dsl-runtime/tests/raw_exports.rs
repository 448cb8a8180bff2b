//! Raw resources and exports against moto: a `cfn_resource!` queue in one stack, its ARN
//! exported under a stable name of the user's (`exports`), and a parameter in a second stack
//! whose value is `ALERTS.Arn`, which sparkform turns into an import of that export. (A
//! queue, not a topic: moto's topics have no `Fn::GetAtt` `TopicArn`.)
//!
//! moto (5.2) registers exports and resolves `Fn::ImportValue` only for stacks made with
//! CreateStack, not for change sets (sparkform's way), so the templates sparkform wrote are
//! created here with CreateStack, in the manifest's order and with sparkform's tags. sparkform
//! then finds them deployed as it would have deployed them (no changes), reads the export's
//! output through its context, and destroys them (the importing stack first).

mod support;

use sparkform::aws::Aws;
use sparkform::deploy::api::CloudFormation;
use sparkform::deploy::stack::StackOutcome;
use sparkform::deploy::{sdk::Sdk, ui::Ui, Deployed, Deployer, StepResult};
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_raw_resource_is_imported_by_another_stack() {
    services();
    let run = std::process::id();
    let (shared, consumer) = (format!("raw-shared-{run}"), format!("raw-consumer-{run}"));
    let export = format!("team-alerts-queue-{run}");
    let source = format!(
        r#"
        cfn_resource!(pub ALERTS {{
            stack: "{shared}",
            type: "AWS::SQS::Queue",
            properties: {{ QueueName: "alerts-{run}", KmsMasterKeyId: "alias/aws/sqs" }},
            exports: {{ Arn: "{export}" }},
            removal_policy: destroy,
        }});
        cfn_resource!(pub ALERTS_QUEUE_ARN {{
            stack: "{consumer}",
            type: "AWS::SSM::Parameter",
            properties: {{ Name: "/spark/alerts-queue-{run}", Type: "String", Value: ALERTS.Arn }},
        }});
    "#
    );
    let asm = assembly_with_opt_in(&workspace().join("examples/spark-job"), "raw-exports", &source, true);
    let consumer_entry = asm.stack(&consumer).unwrap();
    assert_eq!(
        consumer_entry.depends_on,
        [shared.as_str()],
        "the import orders the stacks"
    );
    let template = asm.template_text(consumer_entry);
    assert!(
        template.contains(&format!(r#""Fn::ImportValue": "{export}""#)),
        "{template}"
    );

    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = Ui {
        poll: std::time::Duration::from_millis(20),
        ..Ui::new(true, true)
    };
    let dir = tempfile::tempdir().unwrap();
    for stack in [&shared, &consumer] {
        let file = dir.path().join(stack);
        std::fs::write(&file, asm.template_text(asm.stack(stack).unwrap())).unwrap();
        python(&format!(
            "import boto3, os\n\
             cfn = boto3.client('cloudformation', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
             cfn.create_stack(StackName='{stack}', TemplateBody=open('{}').read(), Tags=[{{'Key': 'sparkform:app', 'Value': 'raw-exports'}}])",
            file.display()
        ));
    }
    let d = Deployer::new(&asm, &cfn, &ui);
    let again = d.deploy(&[], std::future::pending()).await.unwrap();
    for stack in [&shared, &consumer] {
        match again.get(&sparkform::deploy::Step::Stack(stack.clone())) {
            Some(StepResult::Done(Deployed::Stack(r))) => {
                assert!(
                    matches!(r.outcome, StackOutcome::NoChanges { .. }),
                    "{stack}: {:?}",
                    r.outcome
                )
            }
            other => panic!("{stack}: {other:?}"),
        }
    }

    // The export exists under its stable name, with the queue's ARN.
    let exports = python(
        "import boto3, json, os\n\
         cfn = boto3.client('cloudformation', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         print(json.dumps({e['Name']: e['Value'] for e in cfn.list_exports()['Exports']}))",
    );
    let exports: serde_json::Value = serde_json::from_str(&exports).unwrap();
    let arn = exports[&export]
        .as_str()
        .unwrap_or_else(|| panic!("no export {export}: {exports}"));
    assert!(
        arn.starts_with("arn:aws:sqs:") && arn.ends_with(&format!(":alerts-{run}")),
        "{arn}"
    );
    // What `ALERTS.attribute(&ctx, "Arn")` reads in the app's own code.
    let ctx = sparkform::Context::load(asm.clone()).await.unwrap();
    let read = ctx
        .attribute("ALERTS", &shared, &[("Arn", "AlertsArn")], "Arn")
        .await
        .unwrap();
    assert_eq!(read, arn);

    // The second stack's resource got the imported value.
    let value = python(&format!(
        "import boto3, os\n\
         ssm = boto3.client('ssm', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         print(ssm.get_parameter(Name='/spark/alerts-queue-{run}')['Parameter']['Value'])"
    ));
    assert_eq!(value, arn);

    let removed = d.destroy(&[], std::future::pending()).await.unwrap();
    assert!(removed.is_success(), "{:?}", removed.results);
    for stack in [&consumer, &shared] {
        assert!(cfn.describe(stack).await.unwrap().is_none(), "{stack} is gone");
    }
}
