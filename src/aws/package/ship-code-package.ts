/**
 * Builds a flow's code package and uploads it to the datastore: the first half of both a deploy
 * (aws/deploy/create.ts) and a simulation (aws/simulate/simulate.ts), written once so that what a
 * simulation tests is what a deploy ships. Each then compiles with the code's URL and digest.
 */
import type { Storage } from "../../datastore/storage.js";
import type { FlowSpec } from "../../flow/types.js";
import type { CompiledFlow } from "../../run/compile-flow.js";
import { includedFiles } from "../../run/resolve-parameters.js";
import { buildCodePackage, type CodePackage, defaultSourceRoot } from "./code-package.js";
import { type StoredCodePackage, uploadCodePackage } from "./code-package-store.js";

export interface ShipCodeOptions {
  flow: FlowSpec;
  /** The flow compiled with the S3 backend. */
  compiled: CompiledFlow;
  storage: Storage;
  /** The folder whose files the package may ship. @default defaultSourceRoot(flow file) */
  sourceRoot?: string;
}

export interface ShippedCode {
  pkg: CodePackage;
  codePackage: StoredCodePackage;
  /** What the compiler's `job` option takes: where the package is and its digest. */
  code: { codePackageUrl: string; codePackageSha256: string };
}

export async function shipCodePackage(options: ShipCodeOptions): Promise<ShippedCode> {
  const pkg = await buildCodePackage({
    flow: options.flow.name,
    flowFile: options.compiled.source,
    bundlePath: options.compiled.bundle,
    sourceRoot: options.sourceRoot ?? defaultSourceRoot(options.compiled.source),
    inputs: options.compiled.inputs,
    required: includedFiles(options.flow, options.compiled.source),
  });
  const codePackage = await uploadCodePackage(options.storage, pkg);
  return { pkg, codePackage, code: { codePackageUrl: codePackage.url, codePackageSha256: pkg.sha256 } };
}
