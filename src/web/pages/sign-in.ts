import { html } from "../html.js";
import type { PageContext } from "../model.js";
import { layout } from "./layout.js";

/** Renders the sign-in form; `error` is shown above it after a rejected token. */
export function signInPage(
  context: PageContext,
  options: { error?: string; next?: string },
): string {
  const error = options.error
    ? html`<p class="error" role="alert" id="sign-in-error">${options.error}</p>`
    : html``;
  return layout(
    context,
    "Sign in",
    html`<div class="signin">
<h1>Sign in</h1>
${error}
<form method="post" action="/ui/sign-in">
<input type="hidden" name="next" value="${options.next ?? "/ui/"}">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false"${options.error ? html` aria-describedby="sign-in-error" aria-invalid="true"` : html``}>
<p class="hint">A user token, from <code>pogo token create</code> or the one printed on the server's first start. It stays on the server; the browser keeps only a session cookie.</p>
<button type="submit">Sign in</button>
</form>
</div>`,
  );
}
