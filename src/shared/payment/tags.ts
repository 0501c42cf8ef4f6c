// Sub-cent tags: how several open requests share one receive address (see the scheme at the top of
// src/main/services/payments.ts). Pure integer arithmetic on base units.
//
//   grain    = one hundredth of a token (10^(decimals-2) base units): the fiat precision of a USD stablecoin.
//   tagUnit  = 10^(decimals-6): a millionth of a token, the smallest step every wallet shows (USDC has 6 decimals).
//   tag      = tagIndex * tagUnit with 1 <= tagIndex <= 9999, so a tag is always < one grain (< 0.01 token).
//   amountDue = floor(price in base units / grain) * grain + tag.
//
// Tag indices are partitioned by till number: till t owns indices (t-1)*slotsPerTill + 1 .. t*slotsPerTill, so two
// tills of a store (separate ledgers, no coordination) can never hand out the same tag. Because every price is a whole
// number of grains and every tag is below one grain, two requests have the same amountDue only if they have the same
// price AND the same tag, and the sub-grain remainder of any transfer names its tag (and so its request) alone.

export const MAX_TAG_INDEX = 9999n

export function grainUnits(decimals: number): bigint {
  if (!Number.isSafeInteger(decimals) || decimals < 6) throw new Error(`sub-cent tags need a token with at least 6 decimals (got ${decimals})`)
  return 10n ** BigInt(decimals - 2)
}

export function tagUnit(decimals: number): bigint {
  grainUnits(decimals)
  return 10n ** BigInt(decimals - 6)
}

export function slotsPerTill(maxTills: number): number {
  return Math.floor(Number(MAX_TAG_INDEX) / maxTills)
}

/** The tag index of a till's slot (slot counts from 1). */
export function tagIndexFor(tillNumber: number, slot: number, maxTills: number): number {
  const per = slotsPerTill(maxTills)
  if (tillNumber < 1 || tillNumber > maxTills) throw new Error(`till number ${tillNumber} outside 1..${maxTills}`)
  if (slot < 1 || slot > per) throw new Error(`slot ${slot} outside 1..${per}`)
  return (tillNumber - 1) * per + slot
}

export function tagValue(tagIndex: number, decimals: number): bigint {
  return BigInt(tagIndex) * tagUnit(decimals)
}

/** The price rounded DOWN to a whole grain: the request never asks more than the price plus a tag below one cent. */
export function floorToGrain(units: bigint, decimals: number): bigint {
  const grain = grainUnits(decimals)
  return (units / grain) * grain
}

/** The tag index carried by a transferred value, or null when its sub-grain remainder is not a tag. */
export function tagIndexOf(value: bigint, decimals: number): number | null {
  const remainder = value % grainUnits(decimals)
  const unit = tagUnit(decimals)
  if (remainder === 0n || remainder % unit !== 0n) return null
  const index = remainder / unit
  return index >= 1n && index <= MAX_TAG_INDEX ? Number(index) : null
}

/**
 * The top-up amount for a partly paid tagged request: the smallest value >= `missing` that carries the tag, so the
 * top-up is attributed to its request by the tag even when other requests are open on the same address. It exceeds
 * what is missing by less than one cent.
 */
export function topUpWithTag(missing: bigint, tagIndex: number, decimals: number): bigint {
  const grain = grainUnits(decimals)
  const tag = tagValue(tagIndex, decimals)
  const candidate = floorToGrain(missing, decimals) + tag
  return candidate >= missing ? candidate : candidate + grain
}

/** The till number whose slice holds `tagIndex`, or null for an index past the last slice (the 9999 % maxTills rest). */
export function tillOfTag(tagIndex: number, maxTills: number): number | null {
  const per = slotsPerTill(maxTills)
  const till = Math.floor((tagIndex - 1) / per) + 1
  return tagIndex >= 1 && till <= maxTills ? till : null
}
