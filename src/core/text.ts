/**
 * A template literal as one flat string: flat`${kind}:${id}`. V8 keeps a longer template literal as
 * a rope of its pieces (a ConsString, 32 bytes a piece) for as long as the string lives. A big cycle
 * keeps hundreds of thousands of keys, details and links until its write, so those are built flat.
 */
export function flat(strings: TemplateStringsArray, ...values: readonly (string | number | null)[]): string {
  const pieces: (string | number | null)[] = [strings[0]!];
  for (let i = 0; i < values.length; i += 1) pieces.push(values[i]!, strings[i + 1]!);
  // Array.prototype.join writes one sequential string.
  return pieces.join('');
}

/**
 * Keeps one copy of each text it is given and hands that copy back: a cycle makes the same short
 * texts (a recipient list, "Stalled in Concept", a visit ID) on thousands of rows. Bounded: when
 * `limit` texts are kept, it starts afresh, so unique texts do not pile up in a long-running service.
 */
export function stringPool(limit: number): (text: string) => string {
  const kept = new Map<string, string>();
  return (text) => {
    const known = kept.get(text);
    if (known !== undefined) return known;
    if (kept.size >= limit) kept.clear();
    kept.set(text, text);
    return text;
  };
}
