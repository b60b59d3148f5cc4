export { expandPaths } from './expand-paths.ts';
export {
  emptyTally,
  IMPORT_PLUGIN,
  type ImportEvents,
  importSource,
  judged,
  type SourceTally,
} from './import-source.ts';
export { categoryOf, type Example, FORMAT_FIELDS, mapRow, type RowFormat } from './map-row.ts';
export { compressionOf, fileHash, openInput } from './open-input.ts';
export {
  type BadRow,
  type Container,
  containerOf,
  type RawRow,
  readRows,
} from './read-rows.ts';
export { readSourcesFile, type SourceSpec, type SourcesFile } from './sources-config.ts';
