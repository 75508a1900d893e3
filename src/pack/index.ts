export { DEFAULT_MAX_INLINE_ARTIFACT_BYTES, prepareArtifacts, type ArtifactInput, type ArtifactOptions, type PreparedArtifacts } from './artifacts.ts';
export { blobPath, readArtifactBytes, readVerifiedBlob, writeBlob, type ArtifactReadOptions } from './blob-store.ts';
export { bundleFile, type BundledPackage, type BundleOptions, type BundleResult } from './bundle.ts';
export { diffRecords, type ArtifactChange, type CodeDiff, type FileChange, type RecordDiff, type ValueChange } from './diff.ts';
export { PackError, type PackErrorCode } from './errors.ts';
export { captureClass, type CaptureOptions, type CapturedClass } from './live/capture.ts';
export { pack, packFile, packSource, type PackClassOptions, type PackFileOptions, type PackOptions, type PackResult } from './pack.ts';
export { checkParams } from './params.ts';
export { mapComponentError, mapComponentStack } from './source-map.ts';
