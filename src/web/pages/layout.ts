import { html, type SafeHtml } from "../html.js";
import type { PageContext } from "../model.js";

/** Wraps page content in the document: head, top bar with sign-in state, and main. */
export function layout(context: PageContext, title: string, content: SafeHtml): string {
  const viewer = context.viewer;
  const account = viewer
    ? html`<span>Signed in as <strong>${viewer.name}</strong></span>
<form method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="${viewer.csrfToken}"><button type="submit" class="link">Sign out</button></form>`
    : html`<a href="/ui/sign-in">Sign in</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Pogo</title>
<link rel="stylesheet" href="/ui/assets/style.css?v=${context.assetVersion}">
<script src="/ui/assets/live.js?v=${context.assetVersion}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/ui/">Pogo CI</a>
<nav aria-label="Account"><a href="/ui/">Repositories</a>${account}</nav>
</header>
<main id="main">
${content}
</main>
</body>
</html>
`.value;
}
