//! `pyspark_package!`: DSF's PySparkApplicationPackage (`model.rs` checks the files and
//! hashes them, `synth.rs` makes the artifacts bucket and outputs; the runtime uploads).

pub mod model;
pub mod synth;

pub use model::PySparkPackage;
pub use synth::{bucket_value, ids, venv_conf, PackageIds};

use super::{Attribute, Construct, ConstructDef, Index, ManifestParts};
use crate::expand::{handle_type, opt, track_files};
use crate::model::Handle;
use crate::synth::Linker;
use crate::value::Declaration;
use proc_macro2::TokenStream;
use quote::quote;
use sparkform_assembly::{Asset, AssetSource, ValueRef};

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "pyspark_package",
    what: "pyspark_package!",
    handle_type: "PySparkPackage",
    fields: &[
        "stack",
        "name",
        "entrypoint",
        "dependencies",
        "venv_archive_path",
        "base_image",
        "artifacts_bucket",
        "removal_policy",
    ],
    // Paths as in examples/pyspark-package, whose files the fuzzer's crate context uses.
    example: r#"pub PKG {
        name: "nightly-job-aggregation",
        entrypoint: "spark/src/entrypoint.py",
        dependencies: "spark",
        venv_archive_path: "/venv-package/pyspark-env.tar.gz",
        removal_policy: retain,
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
        let ids = ids(self);
        let mut out = vec![
            Attribute {
                name: "artifacts_bucket_name",
                output: ids.out_bucket,
            },
            Attribute {
                name: "entrypoint_uri",
                output: ids.out_entrypoint_uri,
            },
        ];
        if self.venv.is_some() {
            out.push(Attribute {
                name: "venv_archive_uri",
                output: ids.out_venv_uri,
            });
            out.push(Attribute {
                name: "spark_venv_conf",
                output: ids.out_spark_conf,
            });
        }
        out
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
        quote! {
            #tracked
            #vis static #name: #ty = #ty {
                handle: #ident,
                stack: #stack,
                name: #pkg_name,
                bucket_output: #bucket_out,
                entrypoint_key: #entry_key,
                venv_key: #venv_key,
                spark_venv_conf: #conf,
            };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
