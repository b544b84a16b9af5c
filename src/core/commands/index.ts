// The command catalogue of the protocol core: one namespace per protocol module, plus the
// command contract, outlet context, rule helpers and the destructive-method check.

export * from './command';
export * from './context';
export * from './destructive';
export { carriesSecret, publicArgs, publicReply, publicError, WithheldDeviceError } from './secret';
export { buildRule, describeRule, describeRules, RuleInput, RuleKind, RULE_NAME_MAX_BYTES, MAX_OFFSET_MIN } from './rules';
export { parseDays, parseWday, parseTime, parseAction, parseDate, formatDays, formatTime, DAY_NAMES } from './rulefields';
export { normalizeRealtime, normalizeDayStat, normalizeMonthStat, normalizeStats, RealtimeReading, EnergyEntry } from './emeter';

export * as system from './system';
export * as netif from './netif';
export * as cloud from './cloud';
export * as time from './time';
export * as emeter from './emeter';
export * as schedule from './schedule';
export * as countdown from './countdown';
export * as antitheft from './antitheft';
export * as validate from './validate';
