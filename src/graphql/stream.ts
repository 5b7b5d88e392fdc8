// A subscription stream that fails midway (a client too slow, the database gone) should tell the
// client why with a coded GraphQL error and then complete, not drop the socket with a bare 4500.
// The error travels as a value; the field's resolver throws it, so it is masked like any other.

export interface StreamFailure {
  readonly streamFailure: unknown;
}

export async function* failAsResult<T>(source: AsyncIterable<T>): AsyncGenerator<T | StreamFailure> {
  try {
    yield* source;
  } catch (error) {
    yield { streamFailure: error };
  }
}

export function unwrap<T>(item: T | StreamFailure): T {
  if (item && typeof item === 'object' && 'streamFailure' in item) throw item.streamFailure;
  return item as T;
}
