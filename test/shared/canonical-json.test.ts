import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/shared/canonical-json'

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined, writes bigints as strings', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined, n: 12n })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1,"n":"12"}')
  })
  it('refuses floats so money never enters the journal as one', () => {
    expect(() => canonicalJson({ amount: 12.5 })).toThrow(/safe integer/)
  })
})
