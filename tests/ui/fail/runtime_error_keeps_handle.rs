// A runtime with an error still defines its handle, so code using it shows no
// follow-on errors: only the real problem is reported.
use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    stack: "1-bad-stack",
});

fn main() {
    println!("{} {}", RUNTIME.name, RUNTIME.stack);
}
