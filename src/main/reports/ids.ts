// Stable ids of a closed day's money movements, shared by every export so a re-import never doubles a line and an
// accountant can follow one movement from the CSV to the OFX FITID, the camt.053 NtryRef and the journal's code.
//
//   <tillId>-<z>-S<saleNumber>-<n>     tender n (0-based) of a sale
//   <tillId>-<z>-R<returnNumber>-<n>   refund tender n of a return
//   <tillId>-<z>-M<movementNumber>     a cash in or cash out
//   <tillId>-<z>-D                     the drawer's over/short at closing
//   <tillId>-<z>-S<saleNumber>         a whole sale (journals: one transaction per sale)
//
// Sale and return numbers are gap-free per till and the Z number is too, so an id never repeats across days; the
// same day exported twice gives the same ids. Till ids are [A-Za-z0-9-] (settlement.ts), so ids stay within
// OFX's FITID and camt's Max35Text for any realistic till id (checked where they are written).
import type { DaySettlement } from './settlement'

export function saleId(day: DaySettlement, saleNumber: number): string {
  return `${day.store.tillId}-${day.zNumber}-S${saleNumber}`
}

export function saleTenderId(day: DaySettlement, saleNumber: number, index: number): string {
  return `${saleId(day, saleNumber)}-${index}`
}

export function returnId(day: DaySettlement, returnNumber: number): string {
  return `${day.store.tillId}-${day.zNumber}-R${returnNumber}`
}

export function refundTenderId(day: DaySettlement, returnNumber: number, index: number): string {
  return `${returnId(day, returnNumber)}-${index}`
}

export function movementId(day: DaySettlement, movementNumber: number): string {
  return `${day.store.tillId}-${day.zNumber}-M${movementNumber}`
}

export function drawerDifferenceId(day: DaySettlement): string {
  return `${day.store.tillId}-${day.zNumber}-D`
}
