/** Small inline SVG icons (no icon font, no emoji: they render the same in headless Chromium). */
const base = { width: 16, height: 16, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

export const LockIcon = () => (
  <svg {...base} aria-hidden="true">
    <rect x="4" y="11" width="16" height="10" rx="2" />
    <path d="M8 11V7a4 4 0 0 1 8 0v4" />
  </svg>
);

export const HashIcon = () => (
  <svg {...base} aria-hidden="true">
    <path d="M5 9h14M5 15h14M10 3 8 21M16 3l-2 18" />
  </svg>
);

export const ClockIcon = () => (
  <svg {...base} width={13} height={13} aria-hidden="true">
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </svg>
);

export const CheckIcon = () => (
  <svg {...base} width={14} height={14} strokeWidth={2.5} aria-hidden="true">
    <path d="m5 12 5 5L20 7" />
  </svg>
);

export const AlertIcon = () => (
  <svg {...base} width={14} height={14} aria-hidden="true">
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v6M12 16.5v.5" />
  </svg>
);

export const SendIcon = () => (
  <svg {...base} width={18} height={18} aria-hidden="true">
    <path d="M22 2 11 13M22 2l-7 20-4-9-9-4z" />
  </svg>
);

export const PlusIcon = () => (
  <svg {...base} aria-hidden="true">
    <path d="M12 5v14M5 12h14" />
  </svg>
);

export const BackIcon = () => (
  <svg {...base} width={20} height={20} aria-hidden="true">
    <path d="m15 18-6-6 6-6" />
  </svg>
);

export const UsersIcon = () => (
  <svg {...base} width={14} height={14} aria-hidden="true">
    <path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2" />
    <circle cx="9" cy="7" r="4" />
    <path d="M23 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75" />
  </svg>
);
