// Package measure runs the course's experiments and reports what they measured.
package measure
