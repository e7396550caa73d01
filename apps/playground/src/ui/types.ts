/** Shapes the server's JSON API sends (see src/server). */

export interface ParamInfo {
  name: string;
  type: 'int' | 'string' | 'bool' | 'datetime' | 'int-list' | 'string-list' | 'flag';
  required: boolean;
  summary?: string;
  min?: number;
  max?: number;
  enum?: string[];
  oneOf?: string;
}

export interface MethodInfo {
  name: string;
  group: string;
  summary?: string;
  params: ParamInfo[];
  oneOf: Record<string, string[]>;
  auth: boolean;
  data?: 'upload' | 'download';
  idempotent: boolean;
  pkg: string;
  plugin?: string;
}

export interface Settings {
  pcloud: { configured: boolean; region: 'us' | 'eu'; kind: 'access_token' | 'auth' };
  emulator: { running: boolean; api?: string; username?: string; binary?: string | null; problem?: string };
  transports: { http: boolean; binary: boolean };
}

export interface ErrorInfo {
  name: string;
  code?: string;
  result?: number;
  errorClass?: string;
  message: string;
  param?: string;
  host?: string;
}

export interface CallOutput {
  request: {
    method: string;
    params: Record<string, unknown>;
    transport: 'http' | 'binary';
    target: 'emulator' | 'pcloud';
    host?: string;
    bearer?: string;
    files?: { name: string; size?: number; contentType?: string }[];
  };
  response: string | null;
  timing: number;
  error: ErrorInfo | null;
  links?: { at: string; urls: string[]; kind: 'audio' | 'video' | 'hls' | 'image' | 'file' }[];
  data?: { id: string; url: string; length: number; contentType?: string; filename: string; preview?: string };
  frames?: { dir: string; hex: string }[];
}

/** Params as the form collected them: ints stay decimal strings so 64-bit ids are exact. */
export type FormValues = Record<string, string | boolean>;
