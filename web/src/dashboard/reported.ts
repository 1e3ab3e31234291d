/** Mutations reported the same way everywhere: what they did on success, why not on failure. */
import type { UseMutationResult } from "@tanstack/react-query";
import type { BannerControl } from "./useBanner";

type Report<V, R> = (result: R, vars: V) => [title: string, message: string];

/** Run a mutation; on success show its report (if any) and call `then`, on failure show why. */
export function reported<V, R>(
  mutation: UseMutationResult<R, Error, V>,
  banner: BannerControl,
  report: Report<V, R> | null,
  then: (result: R) => void = () => undefined,
  always: () => void = () => undefined,
) {
  return (vars: V) =>
    mutation.mutate(vars, {
      onSuccess: (result, done) => {
        always();
        if (report) banner.info(...report(result, done));
        then(result);
      },
      onError: (e) => {
        always();
        banner.fail(e);
      },
    });
}
