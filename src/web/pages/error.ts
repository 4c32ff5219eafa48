import { html } from "../html.js";
import type { PageContext } from "../model.js";
import { layout } from "./layout.js";

/** Renders an error page with a one-sentence message and a way back. */
export function errorPage(context: PageContext, title: string, message: string): string {
  const signIn = context.viewer ? html`` : html` or <a href="/ui/sign-in">sign in</a>`;
  return layout(
    context,
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
<p><a href="/ui/">Back to the repositories</a>${signIn}.</p>`,
  );
}
