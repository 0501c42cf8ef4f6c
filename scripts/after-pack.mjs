// electron-builder's afterPack hook (package.json build.afterPack): flips Electron's fuses in the packaged binary
// before it is signed. Checklist 19 (https://www.electronjs.org/docs/latest/tutorial/fuses): the fuses are compiled
// into the binary, so they hold even against someone who can start the till's executable with their own arguments
// or environment on the shop's machine.
import { join } from 'node:path'
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses'

/** The fuses every packaged Stabletill ships with. Exported so the test reads the very object the hook applies. */
export const FUSES = Object.freeze({
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE would turn the signed till binary into a plain Node that runs any script.
  [FuseV1Options.RunAsNode]: false,
  // NODE_OPTIONS could preload code into the main process (--require) from the environment.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect and friends would open a debugger on the main process, and with it the ledger.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Cookies and local storage encrypted at rest with the OS key store.
  [FuseV1Options.EnableCookieEncryption]: true,
  // The app.asar is checked against the hash electron-builder records in the signed app (macOS and Windows; Linux
  // has no such check yet): no edited main process code.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // ...and only the app.asar is loaded, never an app/ folder placed beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // file:// gets no extra privileges: the pages come from app:// (security/app-protocol.ts).
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false
})

/** The packaged executable electron-builder has just written (a .app bundle on macOS). */
export function packagedExecutable(context) {
  const name = context.packager.appInfo.productFilename
  switch (context.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(context.appOutDir, `${name}.app`)
    case 'win32':
      return join(context.appOutDir, `${name}.exe`)
    default:
      return join(context.appOutDir, context.packager.executableName ?? name)
  }
}

export default async function afterPack(context) {
  const darwin = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
  // Flipping fuses breaks an ad-hoc macOS signature, and Apple silicon refuses unsigned code: re-sign ad hoc there
  // (electron-builder signs for real afterwards). context.arch is builder-util's Arch: 3 arm64, 4 universal.
  await flipFuses(packagedExecutable(context), { ...FUSES, resetAdHocDarwinSignature: darwin && (context.arch === 3 || context.arch === 4) })
}
