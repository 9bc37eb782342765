// hash-wasm ships each algorithm as its own small UMD file too; flowship loads only XXH3-128's
// (20 KB, where the package's index carries every algorithm: 270 KB parsed by every task).
declare module "hash-wasm/dist/xxhash128.umd.min.js" {
  const hashWasm: { createXXHash128: typeof import("hash-wasm").createXXHash128 };
  export default hashWasm;
}
