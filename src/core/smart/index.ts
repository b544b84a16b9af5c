// The SMART dialect ({"method":…,"params":…}): pure builders and checks.
export * from './error-codes';
export * from './envelope';
export * from './batch';
export * from './child';
export * from './paging';
export * from './nickname';
export * from './request';
