/**
 * `pending`, or a rejection with `Error(message())` once `timeoutMs` has passed. The timer keeps
 * the process alive meanwhile: Node ends a process whose only pending work is an unsettled import
 * (a top-level await that never settles), which would end the command with nothing said.
 */
export async function withinTimeout<T>(pending: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), timeoutMs);
  });
  try {
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
  }
}
