public enum AssessmentPlaceholder {}
