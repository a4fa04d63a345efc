/** The product's mark (inline SVG: renders the same everywhere, headless Chromium included). */
export const Logo = () => (
  <svg className="logo" width="40" height="40" viewBox="0 0 32 32" aria-hidden="true">
    <rect width="32" height="32" rx="9" fill="var(--accent)" />
    <path d="M8.5 10.5h15v9h-8.5l-4.5 4v-4h-2z" fill="#fff" />
  </svg>
);
