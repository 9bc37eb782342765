import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import * as tar from "tar";
import { tempDir } from "../../../test/helpers/cli.js";
import { buildCodePackage, type CodePackageOptions } from "./code-package.js";

const scratch = tempDir("flowship-package-test-");
/** A new empty folder (one cleanup hook for the whole file). */
const fresh = (prefix = "dir-"): string => fs.mkdtempSync(path.join(scratch, prefix));

const SECRET = "SECRET-MARKER-7f3a";

/** A project folder with a flow, its sources, a compiled bundle, and secrets lying around. */
function makeProject(): { root: string; options: CodePackageOptions } {
  const root = fresh("flowship-project-");
  const files: Record<string, string> = {
    "flows/hello.ts": 'import { greet } from "../lib/greet.js";\ngreet();\n',
    "lib/greet.ts": "export const greet = () => console.log('hi');\n",
    "config/settings.json": '{"rows": 10}\n',
    "data/big.csv": "a,b\n1,2\n",
    "README.md": "# project\n",
    // The comment's text inside the code (a string constant) is code, not the bundle's pointer.
    "build/abc123.mjs": `const banner = "//# sourceMappingURL=x";\nconsole.log(banner);\n//# sourceMappingURL=abc123.mjs.map\n`,
    "build/abc123.mjs.map": JSON.stringify({
      version: 3,
      sources: ["../flows/hello.ts", "../lib/greet.ts", "../node_modules/dep/index.js"],
      mappings: "",
    }),
  };
  const secrets = [
    ".env",
    ".env.local",
    "config/.env.production",
    ".aws/credentials",
    ".aws/config",
    "credentials",
    "deploy/server.pem",
    "id_rsa",
    ".ssh/id_ed25519",
    ".git/config",
    "node_modules/dep/index.js",
    ".flowship/HelloFlow/latest_run",
  ];
  for (const secret of secrets) files[secret] = `${SECRET} in ${secret}\n`;
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  // A harmless-looking name pointing at a secret.
  fs.symlinkSync(path.join(root, ".aws/credentials"), path.join(root, "notes.txt"));
  return {
    root,
    options: {
      flow: "HelloFlow",
      flowFile: path.join(root, "flows/hello.ts"),
      bundlePath: path.join(root, "build/abc123.mjs"),
      sourceRoot: root,
      inputs: [path.join(root, "flows/hello.ts"), path.join(root, "lib/greet.ts")],
    },
  };
}

/** Paths and full uncompressed bytes of an archive. */
function readArchive(bytes: Buffer): { paths: string[]; raw: Buffer; contents: Map<string, string> } {
  const file = path.join(fresh("flowship-archive-"), "p.tgz");
  fs.writeFileSync(file, bytes);
  const paths: string[] = [];
  const contents = new Map<string, string>();
  tar.list({
    file,
    sync: true,
    onReadEntry: (entry) => {
      paths.push(entry.path);
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => contents.set(entry.path, Buffer.concat(chunks).toString()));
    },
  });
  return { paths, raw: zlib.gunzipSync(bytes), contents };
}

describe("code package contents", () => {
  test("holds the bundle as flow.mjs, its map, the flow's sources and a manifest", async () => {
    // given
    const { options } = makeProject();
    // when
    const pkg = await buildCodePackage(options);
    // then
    const { paths, contents } = readArchive(pkg.bytes);
    assert.deepEqual(paths, [
      "batch-task.mjs",
      "flow.mjs",
      "flow.mjs.map",
      "manifest.json",
      "source/flows/hello.ts",
      "source/lib/greet.ts",
    ]);
    assert.equal(
      contents.get("flow.mjs"),
      `const banner = "//# sourceMappingURL=x";\nconsole.log(banner);\n//# sourceMappingURL=flow.mjs.map\n`,
    );
    const map = JSON.parse(contents.get("flow.mjs.map")!) as {
      sourceRoot: string;
      sources: string[];
      file: string;
    };
    // Packaged sources are named below source/ (stack traces show them as the project names them);
    // the others keep where they were relative to the bundle.
    assert.equal(map.sourceRoot, "source/");
    assert.deepEqual(map.sources, ["flows/hello.ts", "lib/greet.ts", "../../node_modules/dep/index.js"]);
    const manifest = JSON.parse(contents.get("manifest.json")!);
    assert.equal(manifest.flow, "HelloFlow");
    assert.equal(manifest.flowFile, "flows/hello.ts");
    assert.equal(manifest.entry, "flow.mjs");
    assert.deepEqual(manifest.files, pkg.files);
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      ["batch-task.mjs", "flow.mjs", "flow.mjs.map", "source/flows/hello.ts", "source/lib/greet.ts"],
    );
  });

  test("include globs add files and exclude globs remove them", async () => {
    // given
    const { options } = makeProject();
    // when
    const pkg = await buildCodePackage({
      ...options,
      include: ["config/*.json", "data/**"],
      exclude: ["data/**"],
    });
    // then
    const { paths } = readArchive(pkg.bytes);
    assert.ok(paths.includes("source/config/settings.json"));
    assert.ok(!paths.some((p) => p.startsWith("source/data/")));
    assert.deepEqual(pkg.omitted.find((o) => o.path === "data/big.csv")?.reason, "excluded by 'data/**'");
  });

  test("secrets never ship, even when a broad glob and the inputs ask for them", async () => {
    // given
    const { root, options } = makeProject();
    const askedFor = [".env", ".aws/credentials", "id_rsa", "notes.txt", "node_modules/dep/index.js"];
    // when
    const pkg = await buildCodePackage({
      ...options,
      include: ["**", "**/.*", ".aws/*", "node_modules/**"],
      inputs: [...options.inputs!, ...askedFor.map((f) => path.join(root, f))],
    });
    // then
    const { paths, raw } = readArchive(pkg.bytes);
    assert.ok(!raw.includes(SECRET), `a secret was packaged: ${paths.join(", ")}`);
    for (const name of askedFor)
      assert.ok(
        pkg.omitted.some((o) => o.path === name),
        name,
      );
    assert.ok(paths.includes("source/README.md"), "the broad glob did apply to ordinary files");
  });

  test("a flow file outside the source root is refused", async () => {
    // given
    const { root, options } = makeProject();
    // when / then
    await assert.rejects(buildCodePackage({ ...options, sourceRoot: path.join(root, "lib") }), {
      code: "FS_CODE_PACKAGE_OUTSIDE_ROOT",
    });
  });

  test("a required file (an includeFile default) ships, or the package is refused naming it", async () => {
    // given
    const { root, options } = makeProject();
    fs.writeFileSync(path.join(root, "movies.csv"), "a,b\n");
    const outside = path.join(path.dirname(root), "outside.csv");
    fs.writeFileSync(outside, "c,d\n");
    // when
    const pkg = await buildCodePackage({
      ...options,
      required: [{ file: path.join(root, "movies.csv"), why: "the default file of parameter 'movies'" }],
    });
    // then
    assert.ok(pkg.files.some((f) => f.path === "source/movies.csv"));
    await assert.rejects(
      buildCodePackage({
        ...options,
        required: [{ file: outside, why: "the default file of parameter 'movies'" }],
      }),
      {
        code: "FS_CODE_PACKAGE_REQUIRED_FILE",
        message: `Cannot ship the default file of parameter 'movies' '${outside}' in the code package: outside the source root (source root '${options.sourceRoot}'; pass --source-root).`,
      },
    );
  });
});

describe("code package determinism", () => {
  test("the same code gives the same bytes, whatever the folder, times and modes", async () => {
    // given: the project, and a copy elsewhere with other mtimes and modes
    const first = makeProject();
    const second = makeProject();
    const past = new Date("2001-02-03T04:05:06Z");
    for (const file of ["flows/hello.ts", "lib/greet.ts", "build/abc123.mjs"]) {
      fs.utimesSync(path.join(second.root, file), past, past);
      fs.chmodSync(path.join(second.root, file), 0o600);
    }
    // when
    const a = await buildCodePackage(first.options);
    const b = await buildCodePackage(second.options);
    const again = await buildCodePackage(first.options);
    // then
    assert.equal(a.sha256, b.sha256);
    assert.equal(a.sha256, again.sha256);
    assert.ok(a.bytes.equals(b.bytes));
    assert.equal(a.bytes.readUInt32LE(4), 0, "no gzip timestamp");
  });

  test("a changed source changes the hash", async () => {
    // given
    const { root, options } = makeProject();
    const before = await buildCodePackage(options);
    // when
    fs.appendFileSync(path.join(root, "lib/greet.ts"), "// edited\n");
    const after = await buildCodePackage(options);
    // then
    assert.notEqual(after.sha256, before.sha256);
  });
});
