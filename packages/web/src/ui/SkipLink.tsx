import classes from './SkipLink.module.css';

/** The id of each frame's main landmark, which the skip link moves focus to. */
export const MAIN_CONTENT_ID = 'main-content';

/** "Skip to main content": the first stop of the Tab key, past the header and the navigation. */
export function SkipLink() {
  return (
    <a className={classes.skip} href={`#${MAIN_CONTENT_ID}`}>
      Skip to main content
    </a>
  );
}
