// Validates every object in the given YAML files against the Kubernetes
// schema that npm kubernetes-models carries. It catches wrong types, bad
// enum values and missing required fields (not unknown fields).
//
// Usage: node validate_schemas.mjs FILE.yaml...
// Exit status 0 when every object passes, 1 otherwise.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);

// "apps/v1" -> kubernetes-models/apps/v1; "v1" -> kubernetes-models/v1.
function modelFor(apiVersion, kind) {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion ?? "")) return null;
  let module;
  try {
    module = require(`kubernetes-models/${apiVersion}`);
  } catch {
    return null;
  }
  return module[kind] ?? null;
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  for (const document of documents) {
    if (document.errors.length > 0) {
      console.error(`${file}: not YAML: ${document.errors[0].message}`);
      failures++;
      continue;
    }
    const object = document.toJS();
    if (object === null) continue;
    const name = `${file}: ${object.kind}/${object.metadata?.name}`;
    const Model = modelFor(object.apiVersion, object.kind);
    if (Model === null) {
      console.error(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
      failures++;
      continue;
    }
    // kustomize wraps long base64 values over several lines; Kubernetes'
    // decoder skips line breaks, the schema's "byte" format does not.
    if (object.kind === "Secret" && object.data) {
      for (const key of Object.keys(object.data)) {
        object.data[key] = String(object.data[key]).replace(/\s+/g, "");
      }
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      console.error(`${name}: ${error.message}`);
      failures++;
    }
  }
}
console.log(`schema: ${checked} objects valid, ${failures} failing`);
process.exit(failures === 0 ? 0 : 1);
