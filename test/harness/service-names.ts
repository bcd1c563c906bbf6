// Kept apart from services.ts so the global setup (main process) never imports `vitest`'s
// worker-side API.
export const SERVICE_NAMES = ['postgres', 'redis', 'docker', 'prometheus', 'alertmanager'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
