//! `pyspark_package!`: DSF's PySparkApplicationPackage (`model.rs` checks the files and
//! hashes them, `synth.rs` makes the artifacts bucket and outputs; the runtime uploads).

pub mod model;
pub mod synth;

pub use model::PySparkPackage;
pub use synth::{bucket_value, ids, venv_conf, PackageIds};

use super::overrides::{target, Target};
use super::{Attribute, Construct, ConstructDef, Index, ManifestParts};
use crate::expand::{handle_type, opt, track_files};
use crate::model::Handle;
use crate::synth::Linker;
use crate::value::Declaration;
use proc_macro2::TokenStream;
use quote::quote;
use sparkform_assembly::{Asset, AssetSource, ValueRef};

/// What `overrides` may target.
const TARGETS: &[Target] = &[
    target("ArtifactsBucket", "AWS::S3::Bucket"),
    target("ArtifactsBucketPolicy", "AWS::S3::BucketPolicy"),
    target("AccessLogsBucket", "AWS::S3::Bucket"),
    target("AccessLogsBucketPolicy", "AWS::S3::BucketPolicy"),
];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "pyspark_package",
    what: "pyspark_package!",
    handle_type: "PySparkPackage",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "overrides",
        "name",
        "entrypoint",
        "dependencies",
        "venv_archive_path",
        "base_image",
        "artifacts_bucket",
        "removal_policy",
    ],
    attributes: &[
        "artifacts_bucket_name",
        "entrypoint_uri",
        "venv_archive_uri",
        "spark_venv_conf",
        "access_logs_bucket_name",
    ],
    targets: &[TARGETS],
    // Paths as in examples/pyspark-package, whose files the fuzzer's crate context uses.
    example: r#"pub PKG {
        name: "nightly-job-aggregation",
        entrypoint: "spark/src/entrypoint.py",
        dependencies: "spark",
        venv_archive_path: "/venv-package/pyspark-env.tar.gz",
        removal_policy: retain,
        outputs: [entrypoint_uri],
    }"#,
    check: |decl, ctx, diags| model::check(decl, ctx, diags).map(|p| Box::new(p) as Box<dyn Construct>),
};

impl PySparkPackage {
    /// Where the package's files go: its created bucket's output, or the named bucket.
    pub fn bucket_ref(&self) -> ValueRef {
        match &self.artifacts_bucket {
            Some(name) => ValueRef::literal(name),
            None => ValueRef::output(&self.handle.stack, ids(self).out_bucket),
        }
    }
}

impl Construct for PySparkPackage {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    fn attributes(&self) -> Vec<Attribute> {
        synth::attributes(self)
    }

    fn synth(&self, _index: &Index, link: &mut Linker) {
        synth::synth(self, link.template(&self.handle.stack));
    }

    /// The entry point and, with dependencies, the venv archive, uploaded after the stack
    /// that holds the bucket.
    fn manifest(&self, _index: &Index, parts: &mut ManifestParts) {
        let bucket = self.bucket_ref();
        let stack = bucket.stack().unwrap_or(&self.handle.stack).to_string();
        parts.assets.push(Asset {
            id: self.handle.id("Entrypoint"),
            package: self.handle.ident.clone(),
            source: AssetSource::File {
                source: self.entrypoint.clone(),
            },
            hash: self.entrypoint_hash.clone(),
            bucket: bucket.clone(),
            key: self.entrypoint_key(),
            stack: stack.clone(),
        });
        if let (Some(v), Some(key)) = (&self.venv, self.venv_key()) {
            parts.assets.push(Asset {
                id: self.handle.id("Venv"),
                package: self.handle.ident.clone(),
                source: AssetSource::Venv(v.recipe.clone()),
                hash: v.hash.clone(),
                bucket,
                key,
                stack,
            });
        }
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let ids = ids(self);
        let (stack, pkg_name, bucket_out) = (&self.handle.stack, &self.name, &ids.out_bucket);
        let entry_key = self.entrypoint_key();
        let venv_key = opt(self.venv_key().as_deref());
        let conf = venv_conf(self, false);
        let tracked = track_files(&self.tracked);
        let attributes = crate::expand::attribute_table(self);
        // A venv is built in Docker: without sparkform's `docker` feature, an error at
        // `dependencies` that says how to enable it (a proc macro cannot see the features).
        let requires = match (&self.venv, decl.body.entries.iter().find(|e| e.key == "dependencies")) {
            (Some(_), Some(e)) => {
                let span = e.key_span;
                quote::quote_spanned!(span=> ::sparkform::__requires_docker!("`dependencies`");)
            }
            _ => TokenStream::new(),
        };
        quote! {
            #requires
            #tracked
            #vis static #name: #ty = #ty {
                handle: #ident,
                stack: #stack,
                name: #pkg_name,
                bucket_output: #bucket_out,
                entrypoint_key: #entry_key,
                venv_key: #venv_key,
                spark_venv_conf: #conf,
                attributes: #attributes,
            };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Context;

    #[test]
    fn a_package_with_dependencies_requires_the_docker_feature() {
        let ctx = Context {
            crate_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/pyspark-package"),
            ..Context::default()
        };
        let (decl, c) = crate::constructs::parse_and_check(&DEF, DEF.example.parse().unwrap(), &ctx).unwrap();
        let out = c.expand(&decl).to_string();
        assert!(out.contains("__requires_docker"), "{out}");
        let no_deps = "pub P { name: \"p\", entrypoint: \"spark/src/entrypoint.py\" }";
        let (decl, c) = crate::constructs::parse_and_check(&DEF, no_deps.parse().unwrap(), &ctx).unwrap();
        assert!(!c.expand(&decl).to_string().contains("__requires_docker"));
    }
}
