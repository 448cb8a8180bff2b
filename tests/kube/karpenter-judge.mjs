// Judges Karpenter v1 objects (karpenter.sh/v1 NodePool, karpenter.k8s.aws/v1 EC2NodeClass)
// with npm @kubernetes-models/karpenter, installed by scripts/test-services:
//  1. the package's validators (compiled from the upstream CRD schemas: types, enums,
//     required fields, patterns, CEL-free rules);
//  2. strictness, as kubernetes-validate --strict does for core kinds: every field must be
//     declared in the package's type declarations (read with the TypeScript checker), since
//     the API server prunes unknown fields of a custom resource.
// Usage: node karpenter-judge.mjs <node_modules dir> < objects.json
// Prints a JSON array: one list of error strings per object, in input order.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const pkg = join(modules, "@kubernetes-models/karpenter");
const ts = createRequire(join(modules, "noop.js"))("typescript");

const KINDS = {
  "karpenter.sh/v1 NodePool": ["karpenter.sh/v1/NodePool", "INodePool"],
  "karpenter.k8s.aws/v1 EC2NodeClass": ["karpenter.k8s.aws/v1/EC2NodeClass", "IEC2NodeClass"],
};

const objects = JSON.parse(readFileSync(0, "utf8"));
const program = ts.createProgram(
  Object.values(KINDS).map(([file]) => join(pkg, `${file}.d.ts`)),
  // Only ES5 of the standard library (for arrays): parsing all of it is most of the time.
  { noEmit: true, lib: ["lib.es5.d.ts"], types: [], skipLibCheck: true, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext },
);
const checker = program.getTypeChecker();

function declared(file, name) {
  const source = program.getSourceFile(join(pkg, `${file}.d.ts`));
  const node = source.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
  return [checker.getTypeAtLocation(node), source];
}

const present = (t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null));

function unknownFields(value, type, at, path, errors) {
  if (type.isUnion()) {
    const objects = type.types.filter(present).filter((t) => t.flags & ts.TypeFlags.Object);
    if (objects.length === 1) unknownFields(value, objects[0], at, path, errors);
    return; // scalars, or several object shapes: the validator decides
  }
  if (Array.isArray(value)) {
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type);
      value.forEach((v, i) => unknownFields(v, item, at, `${path}[${i}]`, errors));
    }
    return;
  }
  if (value === null || typeof value !== "object" || !(type.flags & ts.TypeFlags.Object)) return;
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  for (const [key, v] of Object.entries(value)) {
    const prop = checker.getPropertyOfType(type, key);
    if (prop) {
      unknownFields(v, checker.getTypeOfSymbolAtLocation(prop, at), at, `${path}.${key}`, errors);
    } else if (index) {
      unknownFields(v, index.type, at, `${path}.${key}`, errors);
    } else {
      errors.push(`${path}.${key}: unknown field`);
    }
  }
}

const results = [];
for (const object of objects) {
  const errors = [];
  const entry = KINDS[`${object.apiVersion} ${object.kind}`];
  if (!entry) {
    results.push([`no Karpenter v1 schema for ${object.apiVersion} ${object.kind}`]);
    continue;
  }
  const [file, iface] = entry;
  const mod = await import(pathToFileURL(join(pkg, `${file}.js`)).href);
  const Model = mod[object.kind];
  try {
    new Model(object).validate();
  } catch (e) {
    for (const err of e.errors ?? [{ instancePath: "", message: e.message }]) {
      errors.push(`${err.instancePath || "/"}: ${err.message}${err.params ? " " + JSON.stringify(err.params) : ""}`);
    }
  }
  const [type, source] = declared(file, iface);
  unknownFields(object, type, source, "", errors);
  results.push(errors);
}
process.stdout.write(JSON.stringify(results));
