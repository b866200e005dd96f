/** The collector's version, logged with every run so an audit can tell which code decided. */
export const VERSION = '0.1.0';
