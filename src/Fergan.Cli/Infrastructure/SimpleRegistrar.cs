using Spectre.Console.Cli;

namespace Fergan.Cli.Infrastructure;

/// <summary>
/// The smallest type registrar Spectre.Console.Cli needs: registered instances and factories, plus
/// constructor injection for commands. Enough for a CLI whose only shared services are its consoles.
/// </summary>
internal sealed class SimpleRegistrar : ITypeRegistrar, ITypeResolver
{
    private readonly Dictionary<Type, Func<object>> _factories = [];

    public void Register(Type service, Type implementation) => _factories[service] = () => Create(implementation);
    public void RegisterInstance(Type service, object implementation) => _factories[service] = () => implementation;
    public void RegisterLazy(Type service, Func<object> factory)
    {
        var lazy = new Lazy<object>(factory);
        _factories[service] = () => lazy.Value;
    }

    public ITypeResolver Build() => this;

    public object? Resolve(Type? type) =>
        type is null ? null
        : _factories.TryGetValue(type, out var factory) ? factory()
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? All(type.GetGenericArguments()[0])
        : type.IsAbstract || type.IsInterface ? null // optional framework services we do not provide
        : Create(type);

    /// <summary>Spectre asks for IEnumerable&lt;T&gt; of pluggable services: the registered one, if any.</summary>
    private Array All(Type element)
    {
        var registered = _factories.TryGetValue(element, out var factory) ? new[] { factory() } : [];
        var array = Array.CreateInstance(element, registered.Length);
        registered.CopyTo(array, 0);
        return array;
    }

    private object Create(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                          ?? throw new InvalidOperationException($"{type.Name} has no public constructor.");
        var arguments = constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray();
        return constructor.Invoke(arguments);
    }
}
