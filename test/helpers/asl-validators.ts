// The two validators nobody here wrote that a definition must pass: AWS's Amazon States Language
// service (what the console and the VS Code toolkit use) and asl-validator.
import { createRequire } from "node:module";
import { getLanguageService } from "amazon-states-language-service";
import { TextDocument } from "vscode-languageserver-textdocument";

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)("asl-validator") as AslValidator;

/** Every finding of both validators, one line each. */
export async function validatorFindings(text: string): Promise<string[]> {
  const service = getLanguageService({});
  const document = TextDocument.create("file:///definition.asl.json", "json", 1, text);
  const diagnostics = await service.doValidation(document, service.parseJSONDocument(document));
  const findings = diagnostics.map((d) => `language service, line ${d.range.start.line + 1}: ${d.message}`);
  const result = aslValidator(JSON.parse(text), { checkPaths: true, checkArn: true });
  if (!result.isValid) findings.push(`asl-validator: ${result.errorsText("; ")}`);
  return findings;
}
