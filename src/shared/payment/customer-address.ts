// The address a stablecoin refund goes to, as the customer's wallet shows it: a plain 0x address, or an EIP-681 URI
// ("ethereum:0xabc…", "ethereum:0xabc…@8453", or a token transfer request whose `address` parameter is the
// recipient). Pure (no ethers in shared): the shape is checked here; the EIP-55 checksum is checked by main with
// ethers' getAddress, which refuses a mixed-case address whose checksum is wrong (a mistyped character).

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

export type CustomerAddressParse =
  | { readonly ok: true; readonly address: string; readonly chainId: number | null }
  | { readonly ok: false; readonly reason: 'not-an-address' }

export function parseCustomerAddress(text: string): CustomerAddressParse {
  const trimmed = text.trim()
  if (ADDRESS.test(trimmed)) return { ok: true, address: trimmed, chainId: null }
  // EIP-681: schema "ethereum:", optional "pay-" prefix, target, optional @chain_id, optional /function?params.
  const m = /^ethereum:(?:pay-)?(0x[0-9a-fA-F]{40})(?:@([1-9][0-9]{0,15}))?(?:\/([A-Za-z0-9_]+))?(?:\?([^#]*))?$/.exec(trimmed)
  if (!m) return { ok: false, reason: 'not-an-address' }
  const chainId = m[2] ? Number(m[2]) : null
  const fn = m[3]
  if (fn === undefined) return { ok: true, address: m[1]!, chainId }
  // A token transfer request: the target is the token contract; the recipient is the `address` parameter.
  if (fn !== 'transfer') return { ok: false, reason: 'not-an-address' }
  const to = new URLSearchParams(m[4] ?? '').get('address')
  if (!to || !ADDRESS.test(to)) return { ok: false, reason: 'not-an-address' }
  return { ok: true, address: to, chainId }
}
