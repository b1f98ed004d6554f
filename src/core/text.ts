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
