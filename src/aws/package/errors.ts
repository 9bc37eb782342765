/**
 * Errors of building, uploading and fetching code packages.
 */
import { FlowshipError } from "../../errors.js";

/** A code package could not be built, found or trusted. */
export class CodePackageError extends FlowshipError {}
