// Public surface of advisories/feeds/: the default advisory feeds (OSV per ecosystem in use, CISA
// KEV, EPSS, the CVE List), fetched conditionally, verified and loaded by `db update` with no
// --source and by the scheduler. docs/advisories.md "Default feeds".
export { type DownloadRequest, type DownloadResult, downloadFeed } from './download.js';
export { FeedError } from './errors.js';
export {
  DEFAULT_FEED_URLS,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  FEED_FAMILIES,
  type Feed,
  type FeedConfig,
  type FeedFamily,
  type FeedsConfig,
  osvEcosystemsInUse,
  resolveFeeds,
} from './feed-list.js';
export { type FeedStatus, feedStatus } from './feed-status.js';
export {
  type FeedRun,
  type UpdateFeedsOptions,
  type UpdateFeedsResult,
  updateFeeds,
} from './update-feeds.js';
