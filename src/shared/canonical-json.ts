// Canonical JSON for hashing journal entries: object keys sorted by UTF-16 code unit order, no whitespace,
// bigints as decimal strings, undefined members dropped. Arrays keep their order.
// Non-finite numbers and non-integers are refused: money never enters the journal as a float.

export type JsonValue = string | number | boolean | null | bigint | readonly JsonValue[] | { readonly [k: string]: JsonValue | undefined }

export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return JSON.stringify(value.toString())
    case 'number':
      if (!Number.isSafeInteger(value)) throw new Error(`canonicalJson: ${value} is not a safe integer`)
      return String(value)
    default:
      break
  }
  if (Array.isArray(value)) return `[${value.map((v: JsonValue) => canonicalJson(v)).join(',')}]`
  const obj = value as { readonly [k: string]: JsonValue | undefined }
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}
