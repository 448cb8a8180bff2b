use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    initial_capacity: {
        driver: { workers: 1, cpu: "4 vCPU", memory: "64 GB" },
        executor: { workers: 2, cpu: "4 vCPU", memory: "16 GB", disk: "500 GB" },
    },
});

fn main() {}
