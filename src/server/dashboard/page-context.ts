// What a dashboard page is given: the app's dependencies, the verified caller (whose scope every
// view is called with), the request URL (its query string) and the clock.
import type { Principal } from '../../core/access.js';
import type { AppDeps } from '../context.js';
import type { Html } from './html.js';

export interface PageContext {
  deps: AppDeps;
  principal: Principal;
  url: URL;
  now: Date;
}

/** A rendered page: its title and body (the layout adds navigation, the caller and logout). */
export interface Page {
  title: string;
  body: Html;
  /** Extra stylesheets and scripts (from /static only) the page needs, e.g. the trend chart's. */
  head?: Html | undefined;
}

/** A page request the user got wrong (a bad filter): 400 with the message. */
export class PageInputError extends Error {
  override readonly name = 'PageInputError';
}
