// Types for scripts/after-pack.mjs (plain JS, as electron-builder loads it), for the test that imports it.
export declare const FUSES: Readonly<Record<string, unknown>>
export interface AfterPackContext {
  readonly appOutDir: string
  readonly electronPlatformName: string
  readonly arch: number
  readonly packager: { readonly appInfo: { readonly productFilename: string }; readonly executableName?: string }
}
export declare function packagedExecutable(context: AfterPackContext): string
export default function afterPack(context: AfterPackContext): Promise<void>
