export { bundleFile, type BundleResult } from './bundle.ts';
export { PackError, type PackErrorCode } from './errors.ts';
export { packFile, packSource, type PackOptions, type PackResult } from './pack.ts';
export { checkParams } from './params.ts';
