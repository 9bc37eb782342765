import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../../../test/helpers/cli.js";
import { storageConformance } from "../storage.case.js";
import { LocalStorage } from "./local.js";

const base = tempDir("flowship-local-storage-");
storageConformance("local", () => new LocalStorage({ root: fs.mkdtempSync(path.join(base, "root-")) }));
