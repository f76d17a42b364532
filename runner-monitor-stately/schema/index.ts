// Entry point for `stately schema put`: every item type and migration of runner-monitor's schema.
export * from "./items";
export * from "./migrations";
