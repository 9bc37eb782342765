/**
 * `aws-local-stepfunctions` calls `Promise.withResolvers`, which Node.js has only from version 22.
 * Import this module before the library (it has no other effect): it adds the function on
 * Node.js 20 and leaves newer versions alone.
 *
 * @internal
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/withResolvers
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseWithResolvers = Promise as PromiseConstructor & { withResolvers?: <T>() => Resolvers<T> };

if (typeof PromiseWithResolvers.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value<T>(): Resolvers<T> {
      let resolve!: Resolvers<T>["resolve"];
      let reject!: Resolvers<T>["reject"];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** Loads `aws-local-stepfunctions` after the polyfill is in place. */
export async function loadLocalStepFunctions(): Promise<typeof import("aws-local-stepfunctions")> {
  return import("aws-local-stepfunctions");
}
