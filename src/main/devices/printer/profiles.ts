// Printer profiles: what a till needs to know about a receipt printer to drive it over plain ESC/POS.
// A profile is data; the encoder (receipt.ts) and the queue read it, nothing else switches on a model name.
import { z } from 'zod'

export type ProfileId = 'epson-tm-80' | 'generic-58' | 'star-escpos-80'

/** Character encodings we print in. cp858 is cp437 with € at 0xD5 (ESC t 19); gb18030 needs Kanji mode (FS &). */
export type PrinterEncoding = 'cp437' | 'cp858' | 'gb18030'

/**
 * How a QR code reaches paper. 'native': the printer builds the symbol itself from GS ( k (cn 49, fn 165/167/169/180/181),
 * so the bytes carry the payload. 'raster': the till renders the matrix and sends it as a GS v 0 bit image, for
 * printers whose GS ( k is missing or differs (cheap 58 mm heads, Star emulation firmwares).
 */
export type QrMode = 'native' | 'raster'

/** GS V m n: 'partial' = m 66 (feed to the cutter, then partial cut); 'full' = m 65; 'none' = no cutter, feed to the tear bar. */
export type CutMode = 'partial' | 'full' | 'none'

export interface DrawerPulse {
  /** Drawer kick-out connector pin: 2 (ESC p m=0) or 5 (ESC p m=1). */
  readonly pin: 2 | 5
  /** ESC p t1 × 2 ms: how long the solenoid is driven. Epson drawers want 50–200 ms. */
  readonly onMs: number
  /** ESC p t2 × 2 ms: rest after the pulse; t2 ≥ t1 keeps the solenoid from overheating. */
  readonly offMs: number
}

export interface PrinterProfile {
  readonly id: ProfileId
  readonly label: string
  readonly paperWidthMm: 80 | 58
  /** Characters per line in font A (12 × 24 dots): 576 dots / 12 = 48, 384 / 12 = 32. */
  readonly cpl: number
  /** Printable dots per line at 203 dpi (8 dots/mm). */
  readonly dotsPerLine: number
  readonly encodings: readonly PrinterEncoding[]
  /** The encoding used unless the setting picks another from `encodings`. */
  readonly encoding: PrinterEncoding
  readonly qr: QrMode
  /** QR module size in dots (GS ( k fn 167 / raster cell), 3–8. */
  readonly qrCell: number
  /**
   * receiptline command set the text is encoded with. 'escpos' is Epson's thermal set (GS 8 L / GS ( L images,
   * FS ( A); 'generic' sticks to older commands every clone knows (GS v 0 raster, no FS ( A).
   */
  readonly receiptlineCommand: 'escpos' | 'generic'
  readonly cut: CutMode
  readonly drawers: readonly DrawerPulse[]
  /**
   * DLE EOT 1 bit 2 reports the drawer kick-out connector pin 3 level; which level means "open" depends on the
   * drawer's switch wiring (Epson leaves it to the drawer), so it is a profile setting.
   */
  readonly drawerOpenLevel: 'high' | 'low'
  /** Two-way: the printer answers DLE EOT n (real-time status) over the same link. */
  readonly twoWayStatus: boolean
  /** Rated print speed, used only for the throughput estimate in bench/receipt.ts. */
  readonly ratedSpeedMmPerS: number
}

export const PROFILES: Readonly<Record<ProfileId, PrinterProfile>> = {
  // TM-T20III / TM-T88VI: 80 mm paper, 72 mm printable (576 dots), native QR (GS ( k), autocutter (partial),
  // two drawer pins, DLE EOT answered over Ethernet and USB. TM-T88VI is rated 350 mm/s.
  'epson-tm-80': {
    id: 'epson-tm-80',
    label: 'Epson TM-T20 / TM-T88 (80 mm)',
    paperWidthMm: 80,
    cpl: 48,
    dotsPerLine: 576,
    // GB18030 only on the Simplified Chinese models (TM-T88VI-C etc.); choose it in the setting for those.
    encodings: ['cp437', 'cp858', 'gb18030'],
    encoding: 'cp858',
    qr: 'native',
    qrCell: 5,
    receiptlineCommand: 'escpos',
    cut: 'partial',
    drawers: [
      { pin: 2, onMs: 100, offMs: 200 },
      { pin: 5, onMs: 100, offMs: 200 }
    ],
    drawerOpenLevel: 'high',
    twoWayStatus: true,
    ratedSpeedMmPerS: 350
  },
  // Generic 58 mm (the many clone heads): 384 dots, 32 cpl, usually no cutter, QR as a raster image because
  // their GS ( k support varies; most are sold with a GB18030 font in Kanji mode.
  'generic-58': {
    id: 'generic-58',
    label: 'Generic 58 mm ESC/POS',
    paperWidthMm: 58,
    cpl: 32,
    dotsPerLine: 384,
    encodings: ['cp437', 'cp858', 'gb18030'],
    encoding: 'cp437',
    qr: 'raster',
    qrCell: 4,
    receiptlineCommand: 'generic',
    cut: 'none',
    drawers: [{ pin: 2, onMs: 100, offMs: 200 }],
    drawerOpenLevel: 'high',
    twoWayStatus: false,
    ratedSpeedMmPerS: 90
  },
  // Star TSP100IV / mC-Print3 in ESC/POS emulation: 80 mm, 48 cpl. Its emulation of GS ( k is model- and
  // firmware-dependent, so QR goes as a GS v 0 raster, which every emulation prints.
  'star-escpos-80': {
    id: 'star-escpos-80',
    label: 'Star (ESC/POS emulation, 80 mm)',
    paperWidthMm: 80,
    cpl: 48,
    dotsPerLine: 576,
    encodings: ['cp437', 'cp858'],
    encoding: 'cp858',
    qr: 'raster',
    qrCell: 5,
    receiptlineCommand: 'generic',
    cut: 'partial',
    drawers: [
      { pin: 2, onMs: 100, offMs: 200 },
      { pin: 5, onMs: 100, offMs: 200 }
    ],
    drawerOpenLevel: 'high',
    twoWayStatus: true,
    ratedSpeedMmPerS: 250
  }
}

/** A printer's stored setting: which profile, and optionally a different encoding among those it supports. */
export const printerProfileSettingSchema = z
  .object({
    profile: z.enum(['epson-tm-80', 'generic-58', 'star-escpos-80']),
    encoding: z.enum(['cp437', 'cp858', 'gb18030']).optional(),
    /** Pin the drawer is wired to, when a profile offers both. */
    drawerPin: z.union([z.literal(2), z.literal(5)]).optional()
  })
  .strict()
  .superRefine((setting, ctx) => {
    const profile = PROFILES[setting.profile]
    if (setting.encoding && !profile.encodings.includes(setting.encoding)) {
      ctx.addIssue({ code: 'custom', path: ['encoding'], message: `${profile.label} cannot print ${setting.encoding}` })
    }
    if (setting.drawerPin && !profile.drawers.some((d) => d.pin === setting.drawerPin)) {
      ctx.addIssue({ code: 'custom', path: ['drawerPin'], message: `${profile.label} has no drawer pin ${setting.drawerPin}` })
    }
  })

export type PrinterProfileSetting = z.infer<typeof printerProfileSettingSchema>

/** The profile a setting describes (validated with the schema first). */
export function resolveProfile(setting: unknown): PrinterProfile {
  const parsed = printerProfileSettingSchema.parse(setting)
  const base = PROFILES[parsed.profile]
  const drawers = parsed.drawerPin ? base.drawers.filter((d) => d.pin === parsed.drawerPin) : base.drawers
  return { ...base, encoding: parsed.encoding ?? base.encoding, drawers }
}

export function getProfile(id: ProfileId): PrinterProfile {
  return PROFILES[id]
}
